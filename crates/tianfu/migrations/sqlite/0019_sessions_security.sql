-- Sessions under 等保 level 3: an idle timeout and a list of one's devices (when each session was
-- last seen, from where and with what browser, under a random public id that is not the token's
-- hash), accounts an administrator can disable, and a TOTP second factor for staff.
-- Existing sessions count as last seen when they began.

ALTER TABLE sessions ADD COLUMN public_id TEXT;
ALTER TABLE sessions ADD COLUMN last_seen_at TEXT;
ALTER TABLE sessions ADD COLUMN ip TEXT;
ALTER TABLE sessions ADD COLUMN user_agent TEXT;
UPDATE sessions SET public_id = lower(hex(randomblob(16))), last_seen_at = created_at;
CREATE UNIQUE INDEX sessions_public_id ON sessions (public_id);

-- A disabled account signs in nowhere; its sessions are deleted when it is disabled.
ALTER TABLE users ADD COLUMN disabled_at TEXT;
ALTER TABLE users ADD COLUMN disabled_by INTEGER REFERENCES users (id);
ALTER TABLE users ADD COLUMN disabled_reason TEXT;

-- The TOTP secret in base32 (RFC 4648), set once a first code confirms it; the pending one
-- while enrolling; the last time step accepted, so that no code is accepted twice.
ALTER TABLE users ADD COLUMN totp_secret TEXT;
ALTER TABLE users ADD COLUMN totp_pending_secret TEXT;
ALTER TABLE users ADD COLUMN totp_last_step INTEGER;

-- A login whose password was right and that waits for its second factor (or, when the factor is
-- required, for the enrolment of one): only the hash of the random token the browser holds.
CREATE TABLE login_challenges (
    token_hash   TEXT PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id),
    next         TEXT NOT NULL,
    enrol_secret TEXT,
    attempts     INTEGER NOT NULL DEFAULT 0,
    created_at   TEXT NOT NULL,
    expires_at   TEXT NOT NULL
);
CREATE INDEX login_challenges_user ON login_challenges (user_id);
