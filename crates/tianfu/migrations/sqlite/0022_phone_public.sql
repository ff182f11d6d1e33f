-- Registration and studios as people expect (issue 17, parts 4 and 5).
--
-- When a person agreed to the user agreement and the privacy policy (用户协议, 隐私政策). The
-- registration form requires it; an API client may send it; accounts made before this have none.
ALTER TABLE users ADD COLUMN terms_accepted_at TEXT;

-- Studios are reviewed by staff before they are public. Studios opened before this stay public.
-- status: pending (never approved yet), published, rejected (a new studio refused).
-- An edit of a published studio waits in the draft_* columns while the public keeps reading the
-- approved text; submitted_at is set while something waits for review (the queue, oldest first);
-- revision counts the owner's submissions, so a decision applies to the text the reviewer read.
ALTER TABLE studios ADD COLUMN status TEXT NOT NULL DEFAULT 'published';
ALTER TABLE studios ADD COLUMN draft_name TEXT;
ALTER TABLE studios ADD COLUMN draft_intro TEXT;
ALTER TABLE studios ADD COLUMN draft_fields TEXT;
ALTER TABLE studios ADD COLUMN submitted_at TEXT;
ALTER TABLE studios ADD COLUMN revision INTEGER NOT NULL DEFAULT 0;
ALTER TABLE studios ADD COLUMN review_reason TEXT;
ALTER TABLE studios ADD COLUMN reviewed_by INTEGER REFERENCES users (id);
ALTER TABLE studios ADD COLUMN reviewed_at TEXT;
CREATE INDEX studios_waiting ON studios (submitted_at, id) WHERE submitted_at IS NOT NULL;
CREATE INDEX studios_status ON studios (status, id);

-- The home page's newest published listings, one index range read.
CREATE INDEX listings_status_published ON listings (status, published_at, id);
