//! Highlighted excerpts for result lists.
//!
//! The query's words are found in the stored text by plain substring search (ASCII compared
//! case-insensitively), not by segmenting every hit again: it is several times cheaper per
//! result, and it marks a word even where jieba happened to cut the listing differently.
//! tantivy's SnippetGenerator is not used because it assumes token offsets only move forward,
//! which jieba's search mode breaks (it emits 电池 before 锂电池).

use std::collections::HashSet;
use std::ops::Range;

/// Characters, not bytes: a result line holds about this much Chinese.
const SNIPPET_CHARS: usize = 120;
/// Context kept before the first highlighted word.
const LEAD_CHARS: usize = 16;

pub struct Highlighter<'a> {
    /// The words to mark, already lowercased.
    pub marked: &'a HashSet<String>,
}

impl Highlighter<'_> {
    /// The best body passage, else the title when only it matched, else the body's opening.
    pub fn html(&self, title: &str, body: &str) -> String {
        for text in [body, title] {
            let ranges = self.matches(text);
            if !ranges.is_empty() {
                return excerpt(text, &ranges);
            }
        }
        excerpt(if body.trim().is_empty() { title } else { body }, &[])
    }

    /// Byte ranges of the marked words in `text`, sorted and merged.
    fn matches(&self, text: &str) -> Vec<Range<usize>> {
        // ASCII lowercasing keeps every byte offset where it was.
        let haystack = text.to_ascii_lowercase();
        let mut ranges: Vec<Range<usize>> = self
            .marked
            .iter()
            .filter(|w| !w.is_empty())
            .flat_map(|w| {
                haystack
                    .match_indices(w.as_str())
                    .map(|(at, m)| at..at + m.len())
            })
            .collect();
        ranges.sort_by_key(|r| (r.start, r.end));
        let mut merged: Vec<Range<usize>> = Vec::with_capacity(ranges.len());
        for r in ranges {
            match merged.last_mut() {
                Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
                _ => merged.push(r),
            }
        }
        merged
    }
}

/// At most `SNIPPET_CHARS` characters of `text` around the densest run of `ranges`,
/// HTML-escaped, with the ranges in `<mark>` and "…" where text was cut.
fn excerpt(text: &str, ranges: &[Range<usize>]) -> String {
    // Byte offset of every character, plus the end, so windows are counted in characters.
    let bounds: Vec<usize> = text
        .char_indices()
        .map(|(i, _)| i)
        .chain([text.len()])
        .collect();
    let char_at = |byte: usize| bounds.partition_point(|&b| b < byte);
    let chars = bounds.len() - 1;

    // The window starting at the highlight that has the most highlights within reach.
    let mut best = (0, 0);
    for (i, r) in ranges.iter().enumerate() {
        let reach = char_at(r.start) + SNIPPET_CHARS - LEAD_CHARS;
        let covered = ranges[i..]
            .iter()
            .take_while(|later| char_at(later.end) <= reach)
            .count();
        if covered > best.1 {
            best = (i, covered);
        }
    }
    let start_char = ranges
        .get(best.0)
        .map_or(0, |r| char_at(r.start).saturating_sub(LEAD_CHARS))
        // Near the end of the text, show more before the match rather than a short line.
        .min(chars.saturating_sub(SNIPPET_CHARS));
    let end_char = (start_char + SNIPPET_CHARS).min(chars);
    let (start, end) = (bounds[start_char], bounds[end_char]);

    let mut html = String::new();
    if start > 0 {
        html.push('…');
    }
    let mut at = start;
    for r in ranges {
        let (from, to) = (r.start.max(at), r.end.min(end));
        if from >= to {
            continue;
        }
        escape_into(&mut html, &text[at..from]);
        html.push_str("<mark>");
        escape_into(&mut html, &text[from..to]);
        html.push_str("</mark>");
        at = to;
    }
    escape_into(&mut html, &text[at..end]);
    if end < text.len() {
        html.push('…');
    }
    html
}

fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_merge_and_windows_cut_on_characters() {
        let text = format!("{}锂电池回收<b>{}", "前".repeat(200), "后".repeat(200));
        let start = text.find("锂电池").unwrap();
        let ranges = [start..start + 9, start + 12..start + 15];
        let html = excerpt(&text, &ranges);
        assert!(html.starts_with('…') && html.ends_with('…'), "{html}");
        assert!(
            html.contains("<mark>锂电池</mark>回<mark>收</mark>&lt;b&gt;"),
            "{html}"
        );
        assert!(html.chars().count() <= SNIPPET_CHARS + 2 + 26 + 6, "{html}");
    }

    #[test]
    fn words_are_found_anywhere_and_ascii_ignores_case() {
        let marked: HashSet<String> = ["锂电池", "电池", "bms"].map(String::from).into();
        let html = Highlighter { marked: &marked }.html("标题", "锂电池BMS软件与电池回收");
        assert_eq!(
            html,
            "<mark>锂电池</mark><mark>BMS</mark>软件与<mark>电池</mark>回收"
                .replace("</mark><mark>", "")
        );
    }

    #[test]
    fn the_title_is_used_when_only_it_matches() {
        let marked: HashSet<String> = ["蛋鸡"].map(String::from).into();
        let html = Highlighter { marked: &marked }.html("蛋鸡养殖", "提高产蛋率");
        assert_eq!(html, "<mark>蛋鸡</mark>养殖");
    }

    #[test]
    fn no_ranges_gives_the_opening() {
        assert_eq!(excerpt("a<b", &[]), "a&lt;b");
        assert_eq!(excerpt("", &[]), "");
    }
}
