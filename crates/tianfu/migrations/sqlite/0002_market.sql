-- The technology market: studios, listings (capabilities, achievements, needs), inquiries,
-- notifications, deals, and the outbox the search indexer tails.

CREATE TABLE studios (
    id          INTEGER PRIMARY KEY,
    owner_id    INTEGER NOT NULL REFERENCES users (id),
    name        TEXT NOT NULL,
    intro       TEXT NOT NULL,
    fields      TEXT NOT NULL,
    region_code TEXT NOT NULL REFERENCES regions (code),
    rating      TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    CONSTRAINT studios_owner_id_key UNIQUE (owner_id)
);
CREATE INDEX studios_region ON studios (region_code, id);

CREATE TABLE studio_members (
    id         INTEGER PRIMARY KEY,
    studio_id  INTEGER NOT NULL REFERENCES studios (id),
    name       TEXT NOT NULL,
    title      TEXT NOT NULL
);
CREATE INDEX studio_members_studio ON studio_members (studio_id);

-- One table for the three listing kinds: they share review, search, inquiries and deals;
-- kind-specific columns are NULL for the other kinds.
CREATE TABLE listings (
    id               INTEGER PRIMARY KEY,
    kind             TEXT NOT NULL,
    owner_id         INTEGER NOT NULL REFERENCES users (id),
    studio_id        INTEGER REFERENCES studios (id),
    title            TEXT NOT NULL,
    description_html TEXT NOT NULL,
    description_text TEXT NOT NULL,
    industry         TEXT NOT NULL,
    keywords         TEXT NOT NULL,
    region_code      TEXT NOT NULL REFERENCES regions (code),
    status           TEXT NOT NULL,
    review_reason    TEXT,
    price_fen        INTEGER,
    service_type     TEXT,
    service_area     TEXT,
    need_kind        TEXT,
    deadline         TEXT,
    contact_pref     TEXT,
    achievement_kind TEXT,
    patent_no        TEXT,
    maturity         TEXT,
    transfer_mode    TEXT,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    published_at     TEXT
);
CREATE INDEX listings_status_region ON listings (status, region_code, id);
CREATE INDEX listings_owner ON listings (owner_id, id);
CREATE INDEX listings_kind_status ON listings (kind, status, id);

CREATE TABLE inquiries (
    id           INTEGER PRIMARY KEY,
    listing_id   INTEGER NOT NULL REFERENCES listings (id),
    owner_id     INTEGER NOT NULL REFERENCES users (id),
    requester_id INTEGER NOT NULL REFERENCES users (id),
    status       TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);
CREATE INDEX inquiries_owner ON inquiries (owner_id, id);
CREATE INDEX inquiries_requester ON inquiries (requester_id, id);

CREATE TABLE inquiry_messages (
    id         INTEGER PRIMARY KEY,
    inquiry_id INTEGER NOT NULL REFERENCES inquiries (id),
    author_id  INTEGER NOT NULL REFERENCES users (id),
    body       TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX inquiry_messages_inquiry ON inquiry_messages (inquiry_id, id);

CREATE TABLE notifications (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id),
    text       TEXT NOT NULL,
    link       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    read_at    TEXT
);
CREATE INDEX notifications_user ON notifications (user_id, id);

CREATE TABLE deals (
    id             INTEGER PRIMARY KEY,
    need_id        INTEGER REFERENCES listings (id),
    offer_id       INTEGER REFERENCES listings (id),
    achievement_id INTEGER REFERENCES listings (id),
    inquiry_id     INTEGER REFERENCES inquiries (id),
    buyer_id       INTEGER NOT NULL REFERENCES users (id),
    seller_id      INTEGER NOT NULL REFERENCES users (id),
    contract_type  TEXT NOT NULL,
    amount_fen     INTEGER NOT NULL,
    stage          TEXT NOT NULL,
    buyer_signed   BOOLEAN NOT NULL,
    seller_signed  BOOLEAN NOT NULL,
    region_code    TEXT NOT NULL REFERENCES regions (code),
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL
);
CREATE INDEX deals_buyer ON deals (buyer_id, id);
CREATE INDEX deals_seller ON deals (seller_id, id);
CREATE INDEX deals_region ON deals (region_code, id);

-- Written in the same transaction as every change a search index must see.
CREATE TABLE outbox (
    id          INTEGER PRIMARY KEY,
    entity_kind TEXT NOT NULL,
    entity_id   INTEGER NOT NULL,
    created_at  TEXT NOT NULL
);
