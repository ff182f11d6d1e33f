-- Audit review (等保 level 3): an outcome reviewers can filter by, indexes for the searches the
-- console offers, and audit rows that cannot be changed once written.

-- Older rows get their outcome from their action (a refusal is 'denied', a failed or locked
-- login 'failure'); new rows have it set by the writer (platform/audit.rs) the same way.
ALTER TABLE audit_log ADD COLUMN outcome TEXT NOT NULL DEFAULT 'success';
UPDATE audit_log SET outcome = 'denied' WHERE action LIKE '%.denied';
UPDATE audit_log SET outcome = 'failure'
    WHERE action LIKE '%.failure' OR action LIKE '%.failed' OR action LIKE '%.locked';

CREATE INDEX audit_log_action ON audit_log (action, at);
CREATE INDEX audit_log_outcome ON audit_log (outcome, at);
-- The audit console finds an actor by exact name as well as by phone (already unique).
CREATE INDEX users_name ON users (name);

-- Append-only: the application never updates or deletes an audit row, and the database refuses
-- anyone who tries (TRUNCATE included).
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END;
$$;
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
