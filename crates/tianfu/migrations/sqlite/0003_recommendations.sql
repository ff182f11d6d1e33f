-- 为您推荐: matches pushed to both sides when a listing is published, with the recipient's
-- feedback. One row per (the recipient's listing, the recommended listing); a dismissed row
-- stays dismissed when the matches are computed again.
CREATE TABLE recommendations (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users (id),
    for_listing INTEGER NOT NULL REFERENCES listings (id),
    listing_id  INTEGER NOT NULL REFERENCES listings (id),
    score       REAL NOT NULL,
    reasons     TEXT NOT NULL,
    status      TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    UNIQUE (for_listing, listing_id)
);
CREATE INDEX recommendations_user ON recommendations (user_id, status, id);
