-- The ledger of record (issue 10): every countable act is one row with its dimensions; once-only
-- acts carry a natural key under a UNIQUE index, so not even a future bug can book one twice; an
-- act undone later is answered by a compensating row of weight -1 (its amount negated). Figures
-- read the daily rollups, which a follower keeps from the ledger by id.

ALTER TABLE ledger_events ADD COLUMN counterpart_id BIGINT;
ALTER TABLE ledger_events ADD COLUMN contract_kind TEXT;
ALTER TABLE ledger_events ADD COLUMN source TEXT;
ALTER TABLE ledger_events ADD COLUMN outcome TEXT;
ALTER TABLE ledger_events ADD COLUMN quantity BIGINT;
ALTER TABLE ledger_events ADD COLUMN weight BIGINT NOT NULL DEFAULT 1;
ALTER TABLE ledger_events ADD COLUMN once_key TEXT;
-- When the row was written (wall clock), as against `at`, when the act happened: followers wait
-- at a gap in the ids by this, never by the act's own time.
ALTER TABLE ledger_events ADD COLUMN recorded_at TIMESTAMPTZ;

-- Rows the old code booked twice (concurrent completions, approvals) are kept, voided: weight 0
-- and a key of their own. A listing approved again after an edit was re-published, not published.
UPDATE ledger_events SET kind = 'listing.republished'
 WHERE kind = 'listing.published'
   AND id NOT IN (SELECT MIN(id) FROM ledger_events WHERE kind = 'listing.published' GROUP BY subject_id);
UPDATE ledger_events SET weight = 0, amount_fen = NULL, quantity = NULL, once_key = 'void:' || CAST(id AS TEXT)
 WHERE kind IN ('user.registered', 'studio.opened', 'deal.signed', 'deal.completed', 'achievement.transferred')
   AND id NOT IN (SELECT MIN(id) FROM ledger_events GROUP BY kind, subject_id);
UPDATE ledger_events SET once_key = kind || ':' || CAST(subject_id AS TEXT)
 WHERE once_key IS NULL
   AND kind IN ('user.registered', 'studio.opened', 'listing.published', 'deal.signed', 'deal.completed', 'achievement.transferred');
UPDATE ledger_events SET contract_kind = (SELECT d.contract_type FROM deals d WHERE d.id = ledger_events.subject_id),
       counterpart_id = (SELECT CASE WHEN d.buyer_id = ledger_events.actor_id THEN d.seller_id ELSE d.buyer_id END
                           FROM deals d WHERE d.id = ledger_events.subject_id)
 WHERE subject_kind = 'deal';
CREATE UNIQUE INDEX ledger_events_once_key ON ledger_events (once_key);
-- The evidence of a figure: a kind in a region's subtree over a period; weight makes its count
-- index-only.
CREATE INDEX ledger_events_kind_region ON ledger_events (kind, region_code, at, weight);

-- What the existing rows can tell about acts the ledger did not record before.
INSERT INTO ledger_events (at, kind, region_code, actor_id, subject_kind, subject_id, counterpart_id, once_key)
SELECT i.created_at, 'inquiry.opened', l.region_code, i.requester_id, 'inquiry', i.id, i.owner_id, 'inquiry.opened:' || CAST(i.id AS TEXT)
  FROM inquiries i JOIN listings l ON l.id = i.listing_id;
INSERT INTO ledger_events (at, kind, region_code, actor_id, subject_kind, subject_id, counterpart_id, once_key)
SELECT (SELECT MIN(m.created_at) FROM inquiry_messages m WHERE m.inquiry_id = i.id AND m.author_id = i.owner_id),
       'inquiry.answered', l.region_code, i.owner_id, 'inquiry', i.id, i.requester_id, 'inquiry.answered:' || CAST(i.id AS TEXT)
  FROM inquiries i JOIN listings l ON l.id = i.listing_id
 WHERE EXISTS (SELECT 1 FROM inquiry_messages m WHERE m.inquiry_id = i.id AND m.author_id = i.owner_id);
INSERT INTO ledger_events (at, kind, region_code, actor_id, subject_kind, subject_id, once_key)
SELECT l.created_at, 'listing.submitted', l.region_code, l.owner_id, l.kind, l.id, 'listing.submitted:' || CAST(l.id AS TEXT)
  FROM listings l;
INSERT INTO ledger_events (at, kind, region_code, actor_id, subject_kind, subject_id)
SELECT l.updated_at, 'listing.rejected', l.region_code, NULL, l.kind, l.id FROM listings l WHERE l.status = 'rejected';
INSERT INTO ledger_events (at, kind, region_code, actor_id, subject_kind, subject_id)
SELECT l.updated_at, 'listing.' || l.status, l.region_code, l.owner_id, l.kind, l.id FROM listings l WHERE l.status IN ('withdrawn', 'closed');
INSERT INTO ledger_events (at, kind, region_code, actor_id, subject_kind, subject_id, counterpart_id, once_key)
SELECT r.created_at, 'recommendation.shown', l.region_code, NULL, 'recommendation', r.id, r.user_id, 'recommendation.shown:' || CAST(r.id AS TEXT)
  FROM recommendations r JOIN listings l ON l.id = r.for_listing;
INSERT INTO ledger_events (at, kind, region_code, actor_id, subject_kind, subject_id, once_key)
SELECT r.updated_at, 'recommendation.' || r.status, l.region_code, r.user_id, 'recommendation', r.id,
       'recommendation.' || r.status || ':' || CAST(r.id AS TEXT)
  FROM recommendations r JOIN listings l ON l.id = r.for_listing WHERE r.status IN ('contacted', 'dismissed');
INSERT INTO ledger_events (at, kind, region_code, actor_id, subject_kind, subject_id, counterpart_id, amount_fen, contract_kind, once_key)
SELECT d.created_at, 'deal.created', d.region_code, d.buyer_id, 'deal', d.id, d.seller_id, d.amount_fen, d.contract_type, 'deal.created:' || CAST(d.id AS TEXT)
  FROM deals d;
INSERT INTO ledger_events (at, kind, region_code, actor_id, subject_kind, subject_id, counterpart_id, amount_fen, contract_kind, once_key)
SELECT d.updated_at, 'deal.terminated', d.region_code, NULL, 'deal', d.id, NULL, d.amount_fen, d.contract_type, 'deal.terminated:' || CAST(d.id AS TEXT)
  FROM deals d WHERE d.stage = 'terminated';
-- A deal terminated after both parties signed: its signature is reversed, amount and all.
INSERT INTO ledger_events (at, kind, region_code, actor_id, subject_kind, subject_id, amount_fen, contract_kind, weight, once_key)
SELECT d.updated_at, 'deal.signed', d.region_code, NULL, 'deal', d.id, -d.amount_fen, d.contract_type, -1, 'deal.signed.reversed:' || CAST(d.id AS TEXT)
  FROM deals d WHERE d.stage = 'terminated' AND d.buyer_signed AND d.seller_signed;
INSERT INTO ledger_events (at, kind, region_code, actor_id, subject_kind, subject_id, counterpart_id, once_key)
SELECT t.opened_at, 'ticket.opened', t.region_code, NULL, t.kind, t.id, t.served_id, 'ticket.opened:' || CAST(t.id AS TEXT)
  FROM tickets t;
INSERT INTO ledger_events (at, kind, region_code, actor_id, subject_kind, subject_id, counterpart_id, outcome, once_key)
SELECT t.closed_at, 'ticket.closed', t.region_code, NULL, t.kind, t.id, t.served_id, t.outcome, 'ticket.closed:' || CAST(t.id AS TEXT)
  FROM tickets t WHERE t.closed_at IS NOT NULL;
INSERT INTO ledger_events (at, kind, region_code, actor_id, subject_kind, subject_id, counterpart_id, source)
SELECT e.at, CASE e.kind WHEN 'followup' THEN 'ticket.followed_up' ELSE 'ticket.' || e.kind END, t.region_code, e.actor_id, t.kind, t.id,
       t.served_id, e.channel
  FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id WHERE e.kind IN ('followup', 'escalated', 'assigned', 'rated');

-- One open inquiry per requester and listing: a second 发起洽谈 continues it. Duplicates the old
-- check-then-insert let through are closed first (the oldest stays open).
UPDATE inquiries SET status = 'closed'
 WHERE status = 'open'
   AND id NOT IN (SELECT MIN(id) FROM inquiries WHERE status = 'open' GROUP BY listing_id, requester_id);
CREATE UNIQUE INDEX inquiries_open_once ON inquiries (listing_id, requester_id) WHERE status = 'open';

-- Daily figures per region and per ancestor region (so a province's year is a few thousand rows),
-- kept by the rollup follower. Days are Beijing dates, 'YYYY-MM-DD'.
CREATE TABLE ledger_daily (
    region_code  TEXT COLLATE "C" NOT NULL,
    parent_code  TEXT COLLATE "C",
    kind         TEXT NOT NULL,
    subject_kind TEXT NOT NULL,
    outcome      TEXT NOT NULL,
    day          TEXT NOT NULL,
    events       BIGINT NOT NULL,
    amount_fen   BIGINT NOT NULL,
    quantity     BIGINT NOT NULL,
    PRIMARY KEY (region_code, kind, subject_kind, outcome, day)
);
CREATE INDEX ledger_daily_parent ON ledger_daily (parent_code, kind, day);

-- Who was counted, per region and day, for the figures that count distinct people exactly.
CREATE TABLE ledger_daily_people (
    region_code TEXT COLLATE "C" NOT NULL,
    kind        TEXT NOT NULL,
    day         TEXT NOT NULL,
    person_id   BIGINT NOT NULL,
    PRIMARY KEY (region_code, kind, day, person_id)
);

-- The same people per calendar month ('2026-03') and year ('2026'), and how many there are, so
-- that a distinct count for a whole month or year (the default period) is one row, exactly.
CREATE TABLE ledger_period_people (
    region_code TEXT COLLATE "C" NOT NULL,
    kind        TEXT NOT NULL,
    period      TEXT NOT NULL,
    person_id   BIGINT NOT NULL,
    PRIMARY KEY (region_code, kind, period, person_id)
);
CREATE TABLE ledger_period_counts (
    region_code TEXT COLLATE "C" NOT NULL,
    kind        TEXT NOT NULL,
    period      TEXT NOT NULL,
    people      BIGINT NOT NULL,
    PRIMARY KEY (region_code, kind, period)
);

-- Where each follower of the ledger stands (the last event id it has handled).
CREATE TABLE ledger_cursors (
    name       TEXT PRIMARY KEY,
    position   BIGINT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);

-- Jobs that must run on one node at a time take a lease here.
CREATE TABLE job_leases (
    name   TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    until  TIMESTAMPTZ NOT NULL
);
