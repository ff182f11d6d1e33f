-- Safe and visible actions: an owner's 撤回/关闭 of a listing and a participant's 婉拒/结束洽谈 can
-- be undone for a while (the status to go back to and until when); unread badges for
-- notifications and for inquiries with a message the participant has not opened yet.

ALTER TABLE listings ADD COLUMN undo_status TEXT;
ALTER TABLE listings ADD COLUMN undo_until TEXT;

ALTER TABLE inquiries ADD COLUMN ended_by INTEGER REFERENCES users (id);
ALTER TABLE inquiries ADD COLUMN undo_until TEXT;
-- How many times the inquiry was reopened: part of the once-only keys of its ledger rows.
ALTER TABLE inquiries ADD COLUMN reopened INTEGER NOT NULL DEFAULT 0;
ALTER TABLE inquiries ADD COLUMN owner_unread INTEGER NOT NULL DEFAULT 0;
ALTER TABLE inquiries ADD COLUMN requester_unread INTEGER NOT NULL DEFAULT 0;

-- The header counts: each badge is one partial-index range.
CREATE INDEX inquiries_owner_unread ON inquiries (owner_id) WHERE owner_unread = 1;
CREATE INDEX inquiries_requester_unread ON inquiries (requester_id) WHERE requester_unread = 1;
CREATE INDEX notifications_unread ON notifications (user_id) WHERE read_at IS NULL;
