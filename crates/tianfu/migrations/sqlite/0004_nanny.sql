-- The nanny service (保姆式服务): a ticket per registered scientist (一人一策) and per published
-- need (一单一策), its plan as dated steps, and its whole history (follow-ups, assignments, the
-- clock's overdue marks and escalations, closing, the served person's rating).

-- Administrators' plan per ticket kind; steps are a JSON array of {name, due_days, repeat_days}.
-- A kind without a row uses the built-in default plan.
CREATE TABLE plan_templates (
    kind                TEXT PRIMARY KEY,
    steps               TEXT NOT NULL,
    escalate_after_days INTEGER NOT NULL,
    updated_by          INTEGER REFERENCES users (id),
    updated_at          TEXT NOT NULL
);

CREATE TABLE tickets (
    id                 INTEGER PRIMARY KEY,
    kind               TEXT NOT NULL,
    -- users.id for a person ticket, listings.id for a need ticket.
    subject_id         INTEGER NOT NULL,
    -- The person served: the scientist, or the need's owner.
    served_id          INTEGER NOT NULL REFERENCES users (id),
    title              TEXT NOT NULL,
    region_code        TEXT NOT NULL REFERENCES regions (code),
    department         TEXT NOT NULL,
    assignee_id        INTEGER REFERENCES users (id),
    status             TEXT NOT NULL,
    outcome            TEXT,
    close_reason       TEXT,
    deal_id            INTEGER REFERENCES deals (id),
    opened_at          TEXT NOT NULL,
    first_contact_at   TEXT,
    first_contact_secs INTEGER,
    -- The earliest undone step's due time ("due soon first"), kept with every step change.
    next_due_at        TEXT,
    -- Set by the clock when a step went overdue; cleared when no undone step is overdue.
    overdue_since      TEXT,
    escalated_at       TEXT,
    escalated_to       TEXT,
    closed_at          TEXT,
    rating             INTEGER,
    rating_comment     TEXT,
    updated_at         TEXT NOT NULL,
    CONSTRAINT tickets_subject_key UNIQUE (kind, subject_id)
);
CREATE INDEX tickets_assignee ON tickets (assignee_id, status, next_due_at);
CREATE INDEX tickets_region ON tickets (region_code, status, id);
CREATE INDEX tickets_opened ON tickets (region_code, opened_at);
CREATE INDEX tickets_served ON tickets (served_id);
-- The clock's escalation pass reads only tickets with an overdue step.
CREATE INDEX tickets_overdue ON tickets (overdue_since) WHERE overdue_since IS NOT NULL;

CREATE TABLE ticket_steps (
    id          INTEGER PRIMARY KEY,
    ticket_id   INTEGER NOT NULL REFERENCES tickets (id),
    name        TEXT NOT NULL,
    due_at      TEXT NOT NULL,
    repeat_days INTEGER,
    done_at     TEXT,
    done_by     INTEGER REFERENCES users (id),
    overdue_at  TEXT,
    created_at  TEXT NOT NULL
);
CREATE INDEX ticket_steps_ticket ON ticket_steps (ticket_id, due_at);
-- The clock reads only undone steps, by due time.
CREATE INDEX ticket_steps_pending ON ticket_steps (due_at) WHERE done_at IS NULL;

CREATE TABLE ticket_events (
    id        INTEGER PRIMARY KEY,
    ticket_id INTEGER NOT NULL REFERENCES tickets (id),
    at        TEXT NOT NULL,
    actor_id  INTEGER REFERENCES users (id),
    kind      TEXT NOT NULL,
    channel   TEXT,
    note      TEXT NOT NULL,
    outcome   TEXT
);
CREATE INDEX ticket_events_ticket ON ticket_events (ticket_id, id);
CREATE INDEX ticket_events_actor ON ticket_events (actor_id, kind, at);

-- What a follow-up attached: a listing the nanny recommended, an inquiry or a deal that followed.
CREATE TABLE ticket_links (
    event_id  INTEGER NOT NULL REFERENCES ticket_events (id),
    ticket_id INTEGER NOT NULL REFERENCES tickets (id),
    kind      TEXT NOT NULL,
    target_id INTEGER NOT NULL,
    PRIMARY KEY (event_id, kind, target_id)
);
CREATE INDEX ticket_links_ticket ON ticket_links (ticket_id);

-- Where periodic jobs stand (the ticket opener's sweep over the ledger).
CREATE TABLE job_marks (
    name TEXT PRIMARY KEY,
    at   TEXT NOT NULL
);
CREATE INDEX ledger_events_kind_at ON ledger_events (kind, at);
