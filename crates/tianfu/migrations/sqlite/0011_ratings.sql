-- 典型/精品 ratings (issue 13, part 6): cases written up from completed deals, and ratings of
-- studios and cases reviewed county → city → province. Every step is one guarded UPDATE of
-- `ratings.status`; the decisions are kept in `rating_decisions` for the record.

-- A completed deal written up by one of its parties (案例); one per deal.
CREATE TABLE cases (
    id          INTEGER PRIMARY KEY,
    deal_id     INTEGER NOT NULL REFERENCES deals (id),
    author_id   INTEGER NOT NULL REFERENCES users (id),
    title       TEXT NOT NULL,
    story       TEXT NOT NULL,
    lessons     TEXT NOT NULL,
    region_code TEXT NOT NULL REFERENCES regions (code),
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    CONSTRAINT cases_deal_id_key UNIQUE (deal_id)
);
CREATE INDEX cases_author ON cases (author_id, id);

CREATE TABLE ratings (
    id           INTEGER PRIMARY KEY,
    -- studio | case
    subject_kind TEXT NOT NULL,
    subject_id   INTEGER NOT NULL,
    -- The subject's name when the rating was made, for lists that need no join.
    subject_name TEXT NOT NULL,
    -- typical (典型) | excellent (精品)
    level        TEXT NOT NULL,
    year         INTEGER NOT NULL,
    region_code  TEXT NOT NULL REFERENCES regions (code),
    -- The studio's owner or the case's author: told of every decision.
    owner_id     INTEGER NOT NULL REFERENCES users (id),
    applicant_id INTEGER NOT NULL REFERENCES users (id),
    nominated    BOOLEAN NOT NULL,
    statement    TEXT NOT NULL,
    -- county_review | city_review | province_review | approved | rejected | revoked
    status       TEXT NOT NULL,
    -- Why it was rejected or revoked.
    reason       TEXT,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    decided_at   TEXT
);
-- One rating per subject and year in force: a rejected or revoked one leaves room for another.
CREATE UNIQUE INDEX ratings_subject_kind_key ON ratings (subject_kind, subject_id, year)
    WHERE status NOT IN ('rejected', 'revoked');
-- The staff queue (a step's status in a region's subtree, oldest first) and the yearly list.
CREATE INDEX ratings_status_region ON ratings (status, region_code, id);
CREATE INDEX ratings_year ON ratings (year, status, level, id);
CREATE INDEX ratings_owner ON ratings (owner_id, id);

CREATE TABLE rating_decisions (
    id        INTEGER PRIMARY KEY,
    rating_id INTEGER NOT NULL REFERENCES ratings (id),
    -- county | city | province | revoke | apply
    step      TEXT NOT NULL,
    -- approve | reject | revoke | apply | nominate
    decision  TEXT NOT NULL,
    reason    TEXT,
    actor_id  INTEGER NOT NULL REFERENCES users (id),
    at        TEXT NOT NULL
);
CREATE INDEX rating_decisions_rating ON rating_decisions (rating_id, id);
