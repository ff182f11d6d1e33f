-- 精准资金分配 (issue 13): a saved allocation of a year's pool among the province's cities
-- (parent_code '51') or among one city's counties (parent_code the city). A saved allocation is
-- never edited: a new one supersedes it. Each row names the allocation it supersedes (0 for the
-- first), and (year, parent_code, supersedes) is unique, so two saves that start from the same
-- current allocation cannot both succeed; the old row's superseded_by is then set by one guarded
-- UPDATE in the same transaction. The current allocation is the one not superseded.
CREATE TABLE funding_allocations (
    id            INTEGER PRIMARY KEY,
    year          INTEGER NOT NULL,
    parent_code   TEXT NOT NULL,
    period        TEXT NOT NULL,
    pool_fen      INTEGER NOT NULL,
    base_share    REAL NOT NULL,
    formula       TEXT NOT NULL,
    min_score     REAL,
    formula_text  TEXT NOT NULL,
    score_version INTEGER,
    scores_published INTEGER NOT NULL,
    items         TEXT NOT NULL,
    author_id     INTEGER NOT NULL REFERENCES users (id),
    author        TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    supersedes    INTEGER NOT NULL,
    superseded_by INTEGER REFERENCES funding_allocations (id),
    superseded_at TEXT,
    UNIQUE (year, parent_code, supersedes)
);
CREATE INDEX funding_allocations_current ON funding_allocations (year, parent_code, superseded_by);
