-- Regions, users, organisations, sessions, the audit log and the event ledger.
-- Times are RFC 3339 text written by the application in UTC; never CURRENT_TIMESTAMP (its format
-- differs and would break ordering).

CREATE TABLE regions (
    code        TEXT PRIMARY KEY,
    parent_code TEXT REFERENCES regions (code),
    level       INTEGER NOT NULL,
    name        TEXT NOT NULL
);
CREATE INDEX regions_parent ON regions (parent_code);

CREATE TABLE users (
    id             INTEGER PRIMARY KEY,
    role           TEXT NOT NULL,
    phone          TEXT NOT NULL,
    password_hash  TEXT NOT NULL,
    name           TEXT NOT NULL,
    region_code    TEXT NOT NULL REFERENCES regions (code),
    department     TEXT,
    created_by     INTEGER REFERENCES users (id),
    failed_logins  INTEGER NOT NULL DEFAULT 0,
    locked_until   TEXT,
    created_at     TEXT NOT NULL,
    CONSTRAINT users_phone_key UNIQUE (phone)
);
CREATE INDEX users_region ON users (region_code, id);

CREATE TABLE organizations (
    user_id     INTEGER PRIMARY KEY REFERENCES users (id),
    name        TEXT NOT NULL,
    credit_code TEXT NOT NULL,
    org_type    TEXT NOT NULL,
    CONSTRAINT organizations_credit_code_key UNIQUE (credit_code)
);

CREATE TABLE sessions (
    token_hash   TEXT PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id),
    kind         TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    expires_at   TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE audit_log (
    id        INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,
    actor_id  INTEGER,
    action    TEXT NOT NULL,
    subject   TEXT NOT NULL,
    ip        TEXT,
    detail    TEXT NOT NULL
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_actor ON audit_log (actor_id, at);

CREATE TABLE ledger_events (
    id           INTEGER PRIMARY KEY,
    at           TEXT NOT NULL,
    kind         TEXT NOT NULL,
    region_code  TEXT NOT NULL,
    actor_id     INTEGER,
    subject_kind TEXT NOT NULL,
    subject_id   INTEGER NOT NULL,
    amount_fen   INTEGER
);
CREATE INDEX ledger_events_region_kind ON ledger_events (region_code, kind, at);
