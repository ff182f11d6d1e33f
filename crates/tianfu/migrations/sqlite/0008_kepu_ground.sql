-- 科普 on the ground (issue 15): 科普共享基地 and 科普e站, activities with sign-ups, one-use
-- check-in codes and feedback, 科技志愿者 teams and the hours they served, and the village
-- 科普员 network with their share codes and offline reports. Townships join the region tree
-- through the data file (level 4, nine-digit codes), so no table changes for them.

-- 科普共享基地 (kind 'base') and 科普e站 (kind 'estation').
CREATE TABLE kepu_places (
    id            INTEGER PRIMARY KEY,
    kind          TEXT NOT NULL,
    name          TEXT NOT NULL,
    region_code   TEXT NOT NULL REFERENCES regions (code),
    address       TEXT NOT NULL,
    -- WGS-84 degrees; NULL until someone pins the place.
    latitude      REAL,
    longitude     REAL,
    opening_hours TEXT NOT NULL,
    capacity      INTEGER,
    -- What it offers (展品, 课程, 设备…) and its photos: JSON arrays of words and media hashes.
    offers        TEXT NOT NULL,
    photos        TEXT NOT NULL,
    intro         TEXT NOT NULL,
    status        TEXT NOT NULL,
    created_by    INTEGER NOT NULL REFERENCES users (id),
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);
CREATE INDEX kepu_places_region ON kepu_places (region_code, id);
-- The people who run a place (its 管理员); they may post its activities.
CREATE TABLE kepu_place_managers (
    place_id INTEGER NOT NULL REFERENCES kepu_places (id),
    user_id  INTEGER NOT NULL REFERENCES users (id),
    PRIMARY KEY (place_id, user_id)
);
CREATE INDEX kepu_place_managers_user ON kepu_place_managers (user_id);

-- 志愿服务队 and their members (科技志愿者).
CREATE TABLE kepu_teams (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    region_code TEXT NOT NULL REFERENCES regions (code),
    -- JSON array of channel codes and tag words: the fields the team answers in.
    fields      TEXT NOT NULL,
    intro       TEXT NOT NULL,
    created_by  INTEGER NOT NULL REFERENCES users (id),
    created_at  TEXT NOT NULL
);
CREATE INDEX kepu_teams_region ON kepu_teams (region_code, id);
CREATE TABLE kepu_team_members (
    team_id   INTEGER NOT NULL REFERENCES kepu_teams (id),
    user_id   INTEGER NOT NULL REFERENCES users (id),
    -- 'leader' or 'member'.
    role      TEXT NOT NULL,
    joined_at TEXT NOT NULL,
    PRIMARY KEY (team_id, user_id)
);
CREATE INDEX kepu_team_members_user ON kepu_team_members (user_id);

CREATE TABLE kepu_activities (
    id           INTEGER PRIMARY KEY,
    title        TEXT NOT NULL,
    description  TEXT NOT NULL,
    region_code  TEXT NOT NULL REFERENCES regions (code),
    place_id     INTEGER REFERENCES kepu_places (id),
    team_id      INTEGER REFERENCES kepu_teams (id),
    organiser_id INTEGER NOT NULL REFERENCES users (id),
    -- JSON array of audience codes.
    audiences    TEXT NOT NULL,
    starts_at    TEXT NOT NULL,
    ends_at      TEXT NOT NULL,
    capacity     INTEGER NOT NULL,
    -- Confirmed sign-ups: raised only while below capacity (one guarded statement), so
    -- concurrent sign-ups never overbook; the row is also what serialises one activity's changes.
    confirmed    INTEGER NOT NULL DEFAULT 0,
    status       TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);
CREATE INDEX kepu_activities_region ON kepu_activities (region_code, starts_at);
CREATE INDEX kepu_activities_starts ON kepu_activities (starts_at, id);
CREATE INDEX kepu_activities_team ON kepu_activities (team_id, starts_at);
CREATE INDEX kepu_activities_place ON kepu_activities (place_id, starts_at);

-- One row per person and activity: 'confirmed', 'waitlisted' or 'cancelled'. The waiting list
-- moves up in order of `queued_at`. `role` is 'attendee' or 'volunteer' (serving it).
CREATE TABLE kepu_signups (
    id            INTEGER PRIMARY KEY,
    activity_id   INTEGER NOT NULL REFERENCES kepu_activities (id),
    user_id       INTEGER NOT NULL REFERENCES users (id),
    role          TEXT NOT NULL,
    status        TEXT NOT NULL,
    queued_at     TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    checked_in_at TEXT,
    -- 1..5 and a comment, after a check-in.
    rating        INTEGER,
    feedback      TEXT,
    UNIQUE (activity_id, user_id)
);
CREATE INDEX kepu_signups_queue ON kepu_signups (activity_id, status, queued_at);
CREATE INDEX kepu_signups_user ON kepu_signups (user_id, id);

-- Check-in codes shown at the venue as a QR image: each is used by one account, once, before
-- it expires (at the latest when the activity ends).
CREATE TABLE kepu_checkin_codes (
    code        TEXT PRIMARY KEY,
    activity_id INTEGER NOT NULL REFERENCES kepu_activities (id),
    -- Who put it on the screen: a volunteer may not check in with a code they issued.
    issued_by   INTEGER NOT NULL REFERENCES users (id),
    issued_at   TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    used_by     INTEGER REFERENCES users (id),
    used_at     TEXT
);
CREATE INDEX kepu_checkin_codes_activity ON kepu_checkin_codes (activity_id, issued_at);

-- 智慧科普传播员 (科普员): appointed by staff for a township (and optionally one village in it).
-- `code` is carried by their share links (`?from=`), so reads through their shares count to them.
CREATE TABLE kepu_sharers (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL UNIQUE REFERENCES users (id),
    code         TEXT NOT NULL UNIQUE,
    region_code  TEXT NOT NULL REFERENCES regions (code),
    village      TEXT,
    status       TEXT NOT NULL,
    appointed_by INTEGER NOT NULL REFERENCES users (id),
    appointed_at TEXT NOT NULL,
    revoked_at   TEXT
);
CREATE INDEX kepu_sharers_region ON kepu_sharers (region_code, id);
CREATE INDEX kepu_views_sharer ON kepu_views (sharer_code, state);

-- Offline activities a 科普员 reports, with photos and attendance; staff confirm them.
CREATE TABLE kepu_sharer_reports (
    id          INTEGER PRIMARY KEY,
    sharer_id   INTEGER NOT NULL REFERENCES kepu_sharers (id),
    title       TEXT NOT NULL,
    held_at     TEXT NOT NULL,
    place       TEXT NOT NULL,
    attendance  INTEGER NOT NULL,
    photos      TEXT NOT NULL,
    note        TEXT NOT NULL,
    status      TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE INDEX kepu_sharer_reports_sharer ON kepu_sharer_reports (sharer_id, id);
