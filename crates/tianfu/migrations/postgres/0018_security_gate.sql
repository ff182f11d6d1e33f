-- The security gate (等保 level 3): what every node must see the same.
-- Times are written by the application (see 0001).

-- One-time codes sent by SMS: the current code of a phone for a purpose (register, reset,
-- login). Only a salted hash of the code is kept; a new code replaces the old one, at most once a
-- minute (the guarded upsert in accounts/phone_codes/store.rs).
CREATE TABLE phone_codes (
    phone      TEXT NOT NULL,
    purpose    TEXT NOT NULL,
    code_hash  TEXT NOT NULL,
    sent_at    TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    attempts   INTEGER NOT NULL DEFAULT 0,
    used_at    TIMESTAMPTZ,
    PRIMARY KEY (phone, purpose)
);

-- Failed sign-ins in a row, per account (the phone tried, known or not) and per address, and the
-- time before which the next attempt is refused (accounts/login_guard). Replaces the
-- users.failed_logins / locked_until lock, which is no longer read or written.
CREATE TABLE login_failures (
    scope           TEXT NOT NULL,
    subject         TEXT NOT NULL,
    failures        INTEGER NOT NULL,
    last_at         TIMESTAMPTZ NOT NULL,
    wait_until      TIMESTAMPTZ NOT NULL,
    window_started  TIMESTAMPTZ NOT NULL,
    window_failures INTEGER NOT NULL,
    PRIMARY KEY (scope, subject)
);

-- Alerts to the administrators: one per key (account or address, and window), however many
-- requests cross the threshold at once.
CREATE TABLE security_alerts (
    alert_key  TEXT PRIMARY KEY,
    created_at TIMESTAMPTZ NOT NULL
);
