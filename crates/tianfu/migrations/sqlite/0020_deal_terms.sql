-- What a deal says beyond its kind and amount: the scope of the work and when it runs
-- (YYYY-MM-DD). Its contract file is in deal_contracts (0012).
ALTER TABLE deals ADD COLUMN scope TEXT;
ALTER TABLE deals ADD COLUMN starts_on TEXT;
ALTER TABLE deals ADD COLUMN ends_on TEXT;

-- A deal ended before it was signed can be taken back for a while by whoever ended it: the
-- stage it left, who ended it and when, and how many endings were taken back (each ending's
-- ledger row is keyed by that count, so that an ending after a taking-back is booked too).
ALTER TABLE deals ADD COLUMN terminated_from TEXT;
ALTER TABLE deals ADD COLUMN terminated_by INTEGER REFERENCES users (id);
ALTER TABLE deals ADD COLUMN terminated_at TEXT;

ALTER TABLE deals ADD COLUMN undone_terminations INTEGER NOT NULL DEFAULT 0;

-- The deals that grew from a conversation, shown in its thread.
CREATE INDEX deals_inquiry ON deals (inquiry_id);
