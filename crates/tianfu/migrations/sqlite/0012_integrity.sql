-- Figures that resist gaming (issue 13, part 7): needs held for review as bulk-posted
-- near-duplicates, and large deals that count only once staff have verified their contract.

-- A need held on submission: why (the earlier need it resembles and how much, or how many the
-- account posted within the hour), and what staff decided. `status` held → overridden (approved
-- with a reason), rejected, or cleared (an edit that no longer resembles anything).
CREATE TABLE listing_holds (
    listing_id          INTEGER PRIMARY KEY REFERENCES listings (id),
    owner_id            INTEGER NOT NULL REFERENCES users (id),
    region_code         TEXT NOT NULL,
    rule                TEXT NOT NULL,
    similar_id          INTEGER REFERENCES listings (id),
    similarity_permille INTEGER,
    burst_count         INTEGER NOT NULL,
    reason              TEXT NOT NULL,
    status              TEXT NOT NULL,
    decided_by          INTEGER REFERENCES users (id),
    decision_reason     TEXT,
    decided_at          TEXT,
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL
);
CREATE INDEX listing_holds_status_region ON listing_holds (status, region_code, listing_id);

-- A deal signed at or above the verification threshold: awaiting → verified | rejected, or
-- withdrawn when it is terminated first. `signed_at` dates its ledger rows.
CREATE TABLE deal_verifications (
    deal_id       INTEGER PRIMARY KEY REFERENCES deals (id),
    region_code   TEXT NOT NULL,
    amount_fen    INTEGER NOT NULL,
    threshold_fen INTEGER NOT NULL,
    status        TEXT NOT NULL,
    signed_at     TEXT NOT NULL,
    decided_by    INTEGER REFERENCES users (id),
    reason        TEXT,
    decided_at    TEXT
);
CREATE INDEX deal_verifications_status_region ON deal_verifications (status, region_code, deal_id);

-- Contract files the parties upload (kept under the data directory by SHA-256, never public).
CREATE TABLE deal_contracts (
    id          INTEGER PRIMARY KEY,
    deal_id     INTEGER NOT NULL REFERENCES deals (id),
    sha256      TEXT NOT NULL,
    mime        TEXT NOT NULL,
    bytes       INTEGER NOT NULL,
    uploader_id INTEGER NOT NULL REFERENCES users (id),
    created_at  TEXT NOT NULL
);
CREATE INDEX deal_contracts_deal ON deal_contracts (deal_id, id);
