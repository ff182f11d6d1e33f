-- 精准科普 (issue 12): science resources and their media, channels, residents' profiles and
-- interests, reads and views (the evidence behind 浏览量, with the gaming flags), targeted
-- pushes and their deliveries, and questions with their answers and routes.

-- Channels like 科普苑's; administrators add more.
CREATE TABLE kepu_channels (
    code       TEXT PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    position   INTEGER NOT NULL,
    created_at TEXT NOT NULL
);
INSERT INTO kepu_channels (code, name, position, created_at) VALUES
 ('encyclopedia', '科学百科', 1, '2026-01-01T00:00:00Z'),
 ('health', '健康生活', 2, '2026-01-01T00:00:00Z'),
 ('safety', '安全科学', 3, '2026-01-01T00:00:00Z'),
 ('frontier', '科技前沿', 4, '2026-01-01T00:00:00Z'),
 ('practical', '实用技术', 5, '2026-01-01T00:00:00Z'),
 ('earth', '天文地理', 6, '2026-01-01T00:00:00Z'),
 ('emergency', '应急避险', 7, '2026-01-01T00:00:00Z'),
 ('agriculture', '农业技术', 8, '2026-01-01T00:00:00Z');

-- Uploaded files, kept under the data directory and named by their SHA-256.
CREATE TABLE kepu_media (
    id          INTEGER PRIMARY KEY,
    sha256      TEXT NOT NULL UNIQUE,
    mime        TEXT NOT NULL,
    bytes       INTEGER NOT NULL,
    uploader_id INTEGER NOT NULL REFERENCES users (id),
    created_at  TEXT NOT NULL
);

CREATE TABLE kepu_resources (
    id            INTEGER PRIMARY KEY,
    author_id     INTEGER NOT NULL REFERENCES users (id),
    title         TEXT NOT NULL,
    summary       TEXT NOT NULL,
    body_html     TEXT NOT NULL,
    body_text     TEXT NOT NULL,
    format        TEXT NOT NULL,
    channel       TEXT NOT NULL REFERENCES kepu_channels (code),
    -- JSON arrays of audience codes and tag words.
    audiences     TEXT NOT NULL,
    tags          TEXT NOT NULL,
    -- NULL: for the whole province; a county's advice carries its code.
    region_code   TEXT REFERENCES regions (code),
    media_id      INTEGER REFERENCES kepu_media (id),
    cover_id      INTEGER REFERENCES kepu_media (id),
    status        TEXT NOT NULL,
    review_reason TEXT,
    -- Quality signals, kept by the view recorder: counted reads, reads to the end, likes.
    reads         INTEGER NOT NULL DEFAULT 0,
    completions   INTEGER NOT NULL DEFAULT 0,
    likes         INTEGER NOT NULL DEFAULT 0,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    published_at  TEXT
);
CREATE INDEX kepu_resources_status ON kepu_resources (status, id);
CREATE INDEX kepu_resources_author ON kepu_resources (author_id, id);

-- The terms a published resource is found by in the feed: 'tag:柑橘', 'channel:agriculture',
-- 'audience:farmer', 'region:5116' (every prefix of its region), 'all' (every resource).
-- Only published resources have rows; the feed reads the newest per term from the index.
CREATE TABLE kepu_resource_terms (
    term         TEXT NOT NULL,
    resource_id  INTEGER NOT NULL REFERENCES kepu_resources (id),
    published_at TEXT NOT NULL,
    PRIMARY KEY (term, resource_id)
);
CREATE INDEX kepu_resource_terms_newest ON kepu_resource_terms (term, published_at);

-- 需求画像: audience group and township chosen by the person; interests chosen (weight fixed)
-- or learned from reading, searching and asking (weight decays from `updated_at`).
CREATE TABLE kepu_profiles (
    user_id    INTEGER PRIMARY KEY REFERENCES users (id),
    audience   TEXT,
    updated_at TEXT NOT NULL
);
CREATE INDEX kepu_profiles_audience ON kepu_profiles (audience, user_id);
CREATE TABLE kepu_interests (
    user_id    INTEGER NOT NULL REFERENCES users (id),
    interest   TEXT NOT NULL,
    chosen     INTEGER NOT NULL,
    weight     REAL NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (user_id, interest)
);
CREATE INDEX kepu_interests_interest ON kepu_interests (interest, chosen, user_id);

-- One row per reader and resource: what the feed skips, and read-to-end and likes.
CREATE TABLE kepu_reads (
    user_id     INTEGER NOT NULL REFERENCES users (id),
    resource_id INTEGER NOT NULL REFERENCES kepu_resources (id),
    first_at    TEXT NOT NULL,
    last_at     TEXT NOT NULL,
    completed   INTEGER NOT NULL DEFAULT 0,
    liked       INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (user_id, resource_id)
);

-- Every view as it was recorded. `reader` is 'u:<id>' or 's:<browser cookie>'. The booking job
-- settles each once its neighbourhood is known (two minutes later): `state` new → counted
-- (booked in the ledger), repeat (the same reader read it within 30 minutes) or flagged, with
-- `flag` naming why it is left out of the official figures (too_fast, shared_device) and
-- `evidence` for the province's staff.
CREATE TABLE kepu_views (
    id          INTEGER PRIMARY KEY,
    resource_id INTEGER NOT NULL REFERENCES kepu_resources (id),
    reader      TEXT NOT NULL,
    user_id     INTEGER REFERENCES users (id),
    region_code TEXT NOT NULL,
    ip          TEXT,
    device      TEXT,
    sharer_code TEXT,
    at          TEXT NOT NULL,
    state       TEXT NOT NULL DEFAULT 'new',
    flag        TEXT,
    evidence    TEXT
);
CREATE INDEX kepu_views_reader ON kepu_views (reader, at);
CREATE INDEX kepu_views_reader_resource ON kepu_views (reader, resource_id, at);
CREATE INDEX kepu_views_ip ON kepu_views (ip, at);
CREATE INDEX kepu_views_state ON kepu_views (state, id);
CREATE INDEX kepu_views_device ON kepu_views (device, at);

-- What each region reads most (county, city and province rows), for anonymous visitors.
CREATE TABLE kepu_region_reads (
    region_code TEXT NOT NULL,
    resource_id INTEGER NOT NULL REFERENCES kepu_resources (id),
    reads       INTEGER NOT NULL,
    PRIMARY KEY (region_code, resource_id)
);
CREATE INDEX kepu_region_reads_top ON kepu_region_reads (region_code, reads);

-- 精准推送: a campaign is a resource and an audience; the job fans it out to deliveries.
CREATE TABLE kepu_pushes (
    id           INTEGER PRIMARY KEY,
    resource_id  INTEGER NOT NULL REFERENCES kepu_resources (id),
    author_id    INTEGER NOT NULL REFERENCES users (id),
    region_code  TEXT NOT NULL REFERENCES regions (code),
    audiences    TEXT NOT NULL,
    interests    TEXT NOT NULL,
    status       TEXT NOT NULL,
    recipients   INTEGER NOT NULL DEFAULT 0,
    delivered    INTEGER NOT NULL DEFAULT 0,
    created_at   TEXT NOT NULL,
    finished_at  TEXT
);
CREATE INDEX kepu_pushes_status ON kepu_pushes (status, id);
CREATE INDEX kepu_pushes_region ON kepu_pushes (region_code, id);
-- One row per recipient: waiting (over the weekly cap), delivered, opened.
CREATE TABLE kepu_push_deliveries (
    push_id      INTEGER NOT NULL REFERENCES kepu_pushes (id),
    user_id      INTEGER NOT NULL REFERENCES users (id),
    region_code  TEXT NOT NULL,
    status       TEXT NOT NULL,
    delivered_at TEXT,
    opened_at    TEXT,
    PRIMARY KEY (push_id, user_id)
);
CREATE INDEX kepu_push_deliveries_user ON kepu_push_deliveries (user_id, status, delivered_at);
CREATE INDEX kepu_push_deliveries_waiting ON kepu_push_deliveries (status, push_id);

-- 向科学要答案.
CREATE TABLE kepu_questions (
    id                 INTEGER PRIMARY KEY,
    asker_id           INTEGER NOT NULL REFERENCES users (id),
    title              TEXT NOT NULL,
    body               TEXT NOT NULL,
    photo_id           INTEGER REFERENCES kepu_media (id),
    channel            TEXT,
    region_code        TEXT NOT NULL REFERENCES regions (code),
    private            INTEGER NOT NULL DEFAULT 0,
    status             TEXT NOT NULL,
    accepted_answer_id INTEGER,
    rating             INTEGER,
    escalated_at       TEXT,
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL
);
CREATE INDEX kepu_questions_status ON kepu_questions (status, created_at);
CREATE INDEX kepu_questions_asker ON kepu_questions (asker_id, id);
-- The staff's queue of their region's questions.
CREATE INDEX kepu_questions_region ON kepu_questions (region_code, id);
CREATE TABLE kepu_answers (
    id          INTEGER PRIMARY KEY,
    question_id INTEGER NOT NULL REFERENCES kepu_questions (id),
    parent_id   INTEGER REFERENCES kepu_answers (id),
    author_id   INTEGER NOT NULL REFERENCES users (id),
    body        TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE INDEX kepu_answers_question ON kepu_answers (question_id, id);
CREATE INDEX kepu_answers_author ON kepu_answers (author_id, id);
-- Who a question was routed to, and why (scientist by studio, volunteer by field, county staff,
-- city staff after 48 hours).
CREATE TABLE kepu_question_routes (
    question_id INTEGER NOT NULL REFERENCES kepu_questions (id),
    user_id     INTEGER NOT NULL REFERENCES users (id),
    reason      TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    PRIMARY KEY (question_id, user_id)
);
CREATE INDEX kepu_question_routes_user ON kepu_question_routes (user_id, question_id);
-- Volunteers and scientists who answer questions in a channel.
CREATE TABLE kepu_answerer_fields (
    user_id INTEGER NOT NULL REFERENCES users (id),
    channel TEXT NOT NULL REFERENCES kepu_channels (code),
    PRIMARY KEY (user_id, channel)
);
CREATE INDEX kepu_answerer_fields_channel ON kepu_answerer_fields (channel, user_id);
