-- Browsers (and app installs) that have signed in to an account: a device that holds one of these
-- tokens is not held up by the account's sign-in delay, which strangers' wrong passwords grow, so
-- nobody can lock the owner out of their usual device (accounts/login_guard/device.rs). Only the
-- token's SHA-256 is kept. Times are RFC 3339 text written by the application (see 0001).
CREATE TABLE known_devices (
    token_hash TEXT PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id),
    created_at TEXT NOT NULL
);
CREATE INDEX known_devices_user ON known_devices (user_id);
