-- 科创会 (issue 14): the yearly fair. An edition (届) runs 征集 → 遴选 → 会期 → 签约 → 跟踪 by its
-- dates; projects are published listings entered into it; reviewers score them; selection by
-- rank within each city's quota per category; sessions with capacity; a hall (云展厅) per city
-- with interest and 1:1 meetings; deals carry the edition; outcomes asked six months after.

CREATE TABLE fairs (
    id                     INTEGER PRIMARY KEY,
    name                   TEXT NOT NULL,
    year                   INTEGER NOT NULL,
    intro                  TEXT NOT NULL,
    collect_until          TEXT NOT NULL,
    opens_at               TEXT NOT NULL,
    closes_at              TEXT NOT NULL,
    signing_until          TEXT NOT NULL,
    -- JSON [{"key": "advanced", "name": "技术先进性", "weight": 30}, …]
    criteria               TEXT NOT NULL,
    min_reviewers          INTEGER NOT NULL,
    selection_published_at TEXT,
    -- When the six-month outcome requests went out (once).
    outcomes_asked_at      TEXT,
    created_by             INTEGER NOT NULL REFERENCES users (id),
    created_at             TEXT NOT NULL,
    updated_at             TEXT NOT NULL
);
CREATE INDEX fairs_year ON fairs (year, id);

-- How many projects a city (or '51', the province's own institutions) may have selected per
-- category; a missing row means no quota (every ranked project of that group may be selected).
CREATE TABLE fair_quotas (
    fair_id     INTEGER NOT NULL REFERENCES fairs (id),
    region_code TEXT NOT NULL REFERENCES regions (code),
    -- technology 待推广的高新技术 | achievement 待转化的科技成果 | problem 待攻克的科技难题
    category    TEXT NOT NULL,
    quota       INTEGER NOT NULL,
    PRIMARY KEY (fair_id, region_code, category)
);

CREATE TABLE fair_projects (
    id           INTEGER PRIMARY KEY,
    fair_id      INTEGER NOT NULL REFERENCES fairs (id),
    category     TEXT NOT NULL,
    listing_kind TEXT NOT NULL,
    listing_id   INTEGER NOT NULL REFERENCES listings (id),
    owner_id     INTEGER NOT NULL REFERENCES users (id),
    title        TEXT NOT NULL,
    -- The listing's region, and its hall: the city ('5110') or '51' for province institutions.
    region_code  TEXT NOT NULL REFERENCES regions (code),
    hall_code    TEXT NOT NULL,
    -- electronics | equipment | food | energy | materials | medicine | agriculture
    sector       TEXT NOT NULL,
    -- The organisation behind the project (单位): the owner's when it is an organisation.
    org_name     TEXT,
    pitch        TEXT NOT NULL,
    -- JSON array of image URLs.
    images       TEXT NOT NULL,
    video_url    TEXT,
    entered_by   INTEGER NOT NULL REFERENCES users (id),
    nominated    BOOLEAN NOT NULL,
    -- collected | selected | not_selected | withdrawn
    status       TEXT NOT NULL,
    -- The aggregate (trimmed mean) and how many scores it was made of, set by ranking.
    score        REAL,
    review_count INTEGER NOT NULL DEFAULT 0,
    group_rank   INTEGER,
    major        BOOLEAN NOT NULL DEFAULT FALSE,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    CONSTRAINT fair_projects_listing_key UNIQUE (fair_id, listing_id)
);
CREATE INDEX fair_projects_hall ON fair_projects (fair_id, hall_code, status, category, id);
CREATE INDEX fair_projects_status ON fair_projects (fair_id, status, category, id);
CREATE INDEX fair_projects_owner ON fair_projects (owner_id, id);
CREATE INDEX fair_projects_listing ON fair_projects (listing_id);

-- Scientists or staff invited to review an edition, with the sectors they review.
CREATE TABLE fair_reviewers (
    fair_id    INTEGER NOT NULL REFERENCES fairs (id),
    user_id    INTEGER NOT NULL REFERENCES users (id),
    -- JSON array of sectors; empty for any.
    sectors    TEXT NOT NULL,
    -- Their organisation (工作单位), for conflicts of interest.
    org_name   TEXT,
    invited_by INTEGER NOT NULL REFERENCES users (id),
    created_at TEXT NOT NULL,
    PRIMARY KEY (fair_id, user_id)
);

CREATE TABLE fair_assignments (
    project_id  INTEGER NOT NULL REFERENCES fair_projects (id),
    reviewer_id INTEGER NOT NULL REFERENCES users (id),
    fair_id     INTEGER NOT NULL REFERENCES fairs (id),
    assigned_at TEXT NOT NULL,
    PRIMARY KEY (project_id, reviewer_id)
);
CREATE INDEX fair_assignments_reviewer ON fair_assignments (fair_id, reviewer_id, project_id);

CREATE TABLE fair_scores (
    project_id  INTEGER NOT NULL REFERENCES fair_projects (id),
    reviewer_id INTEGER NOT NULL REFERENCES users (id),
    fair_id     INTEGER NOT NULL REFERENCES fairs (id),
    score       REAL NOT NULL,
    -- JSON {"advanced": 80, …} when scored per criterion.
    criteria    TEXT,
    comment     TEXT NOT NULL,
    scored_at   TEXT NOT NULL,
    PRIMARY KEY (project_id, reviewer_id)
);
CREATE INDEX fair_scores_fair ON fair_scores (fair_id, project_id);
-- A reviewer's load (how many they scored).
CREATE INDEX fair_scores_reviewer ON fair_scores (fair_id, reviewer_id);

-- The "1+3+4+22+N" programme: opening | salon | roadshow | zone | signing | other.
CREATE TABLE fair_sessions (
    id          INTEGER PRIMARY KEY,
    fair_id     INTEGER NOT NULL REFERENCES fairs (id),
    kind        TEXT NOT NULL,
    title       TEXT NOT NULL,
    agenda      TEXT NOT NULL,
    venue       TEXT NOT NULL,
    region_code TEXT REFERENCES regions (code),
    starts_at   TEXT NOT NULL,
    ends_at     TEXT NOT NULL,
    capacity    INTEGER NOT NULL,
    -- Seats taken, raised only below capacity in the same statement.
    registered  INTEGER NOT NULL DEFAULT 0,
    created_at  TEXT NOT NULL
);
CREATE INDEX fair_sessions_fair ON fair_sessions (fair_id, starts_at, id);

CREATE TABLE fair_session_projects (
    session_id INTEGER NOT NULL REFERENCES fair_sessions (id),
    project_id INTEGER NOT NULL REFERENCES fair_projects (id),
    position   INTEGER NOT NULL,
    PRIMARY KEY (session_id, project_id)
);

CREATE TABLE fair_registrations (
    session_id    INTEGER NOT NULL REFERENCES fair_sessions (id),
    user_id       INTEGER NOT NULL REFERENCES users (id),
    -- registered | cancelled
    status        TEXT NOT NULL,
    checked_in_at TEXT,
    created_at    TEXT NOT NULL,
    PRIMARY KEY (session_id, user_id)
);
CREATE INDEX fair_registrations_user ON fair_registrations (user_id);

-- A visitor's interest in a hall's project: the inquiry it became.
CREATE TABLE fair_interests (
    project_id INTEGER NOT NULL REFERENCES fair_projects (id),
    user_id    INTEGER NOT NULL REFERENCES users (id),
    fair_id    INTEGER NOT NULL REFERENCES fairs (id),
    inquiry_id INTEGER REFERENCES inquiries (id),
    created_at TEXT NOT NULL,
    PRIMARY KEY (project_id, user_id)
);
CREATE INDEX fair_interests_fair ON fair_interests (fair_id, created_at);

-- 1:1 meetings during the fair: requested | accepted | declined | expired | cancelled.
CREATE TABLE fair_meetings (
    id           INTEGER PRIMARY KEY,
    fair_id      INTEGER NOT NULL REFERENCES fairs (id),
    project_id   INTEGER NOT NULL REFERENCES fair_projects (id),
    requester_id INTEGER NOT NULL REFERENCES users (id),
    owner_id     INTEGER NOT NULL REFERENCES users (id),
    slot_at      TEXT NOT NULL,
    message      TEXT NOT NULL,
    status       TEXT NOT NULL,
    reply        TEXT,
    created_at   TEXT NOT NULL,
    expires_at   TEXT NOT NULL,
    answered_at  TEXT
);
-- A slot is held by a pending or accepted request, never by two.
CREATE UNIQUE INDEX fair_meetings_slot_key ON fair_meetings (project_id, slot_at)
    WHERE status IN ('requested', 'accepted');
-- One live request per visitor and project (one person cannot hold every slot).
CREATE UNIQUE INDEX fair_meetings_requester_key ON fair_meetings (project_id, requester_id)
    WHERE status IN ('requested', 'accepted');
-- The project page's taken slots.
CREATE INDEX fair_meetings_project_slot ON fair_meetings (project_id, slot_at);
CREATE INDEX fair_meetings_expiry ON fair_meetings (expires_at) WHERE status = 'requested';
CREATE INDEX fair_meetings_owner ON fair_meetings (owner_id, id);
CREATE INDEX fair_meetings_requester ON fair_meetings (requester_id, id);
CREATE INDEX fair_meetings_fair ON fair_meetings (fair_id, status);

-- Deals signed at a fair carry the edition (and the session).
ALTER TABLE deals ADD COLUMN fair_id INTEGER REFERENCES fairs (id);
ALTER TABLE deals ADD COLUMN fair_session_id INTEGER REFERENCES fair_sessions (id);
CREATE INDEX deals_fair ON deals (fair_id, id) WHERE fair_id IS NOT NULL;
-- The ledger rows of a fair (source 'fair:<id>').
CREATE INDEX ledger_events_fair_source ON ledger_events (source, kind) WHERE source LIKE 'fair:%';

-- Six months after the fair, each side of each accepted meeting and each fair deal is asked:
-- none | knowledge | contact | negotiating | agreement.
CREATE TABLE fair_outcomes (
    id           INTEGER PRIMARY KEY,
    fair_id      INTEGER NOT NULL REFERENCES fairs (id),
    subject_kind TEXT NOT NULL,
    subject_id   INTEGER NOT NULL,
    user_id      INTEGER NOT NULL REFERENCES users (id),
    hall_code    TEXT NOT NULL,
    outcome      TEXT,
    note         TEXT,
    asked_at     TEXT NOT NULL,
    answered_at  TEXT,
    CONSTRAINT fair_outcomes_subject_key UNIQUE (subject_kind, subject_id, user_id)
);
CREATE INDEX fair_outcomes_fair ON fair_outcomes (fair_id, hall_code);
CREATE INDEX fair_outcomes_user ON fair_outcomes (user_id, id);
