-- 精准绩效 (issue 13): the indicator system of each year, one immutable row per saved version
-- (the body is the system as JSON), and the scores of each published period, kept as computed
-- with the version then in force, so that a later change never rewrites a published score.
CREATE TABLE indicator_systems (
    year       INTEGER NOT NULL,
    version    INTEGER NOT NULL,
    body       TEXT NOT NULL,
    author_id  INTEGER REFERENCES users (id),
    author     TEXT NOT NULL,
    note       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (year, version)
);

-- period: '2026' (a year), '2026-Q3' (a quarter) or '2026-07' (a month).
CREATE TABLE performance_scores (
    period       TEXT PRIMARY KEY,
    year         INTEGER NOT NULL,
    version      INTEGER NOT NULL,
    body         TEXT NOT NULL,
    published_at TEXT NOT NULL
);
