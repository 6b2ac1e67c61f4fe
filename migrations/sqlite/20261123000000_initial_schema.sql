-- Liftoff's schema, SQLite dialect. migrations/postgres holds the same tables for PostgreSQL;
-- a test checks that both directories hold the same migration versions.
-- Instants are stored as milliseconds since the Unix epoch (*_ms, INTEGER) and calendar dates
-- as DATE (ISO text on SQLite), so both backends sort and compare them the same way.

CREATE TABLE launches (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    slug          TEXT    NOT NULL UNIQUE,
    name          TEXT    NOT NULL,
    tier          INTEGER NOT NULL CHECK (tier IN (1, 2, 3)),
    launch_date   DATE    NOT NULL,
    lead_user_id  TEXT,
    key_messages  TEXT    NOT NULL DEFAULT '',
    channel_notes TEXT    NOT NULL DEFAULT '',
    state         TEXT    NOT NULL DEFAULT 'planned' CHECK (state IN ('planned', 'live', 'archived')),
    version       INTEGER NOT NULL DEFAULT 1,
    created_by    TEXT    NOT NULL,
    created_at_ms INTEGER NOT NULL,
    updated_at_ms INTEGER NOT NULL
);
CREATE INDEX launches_active_by_date ON launches (launch_date) WHERE state <> 'archived';

CREATE TABLE launch_metrics (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    launch_id          INTEGER NOT NULL REFERENCES launches (id),
    name               TEXT    NOT NULL,
    target             REAL    NOT NULL,
    unit               TEXT    NOT NULL DEFAULT '',
    review_offset_days INTEGER NOT NULL,
    actual             REAL,
    actual_at_ms       INTEGER,
    UNIQUE (launch_id, name)
);

CREATE TABLE tasks (
    id                   INTEGER PRIMARY KEY AUTOINCREMENT,
    launch_id            INTEGER NOT NULL REFERENCES launches (id),
    function_name        TEXT    NOT NULL,
    title                TEXT    NOT NULL,
    owner_user_id        TEXT,
    due_date             DATE    NOT NULL,
    due_offset_days      INTEGER,
    status               TEXT    NOT NULL DEFAULT 'todo'
                         CHECK (status IN ('todo', 'on_track', 'at_risk', 'blocked', 'done')),
    blocked_reason       TEXT,
    status_changed_at_ms INTEGER NOT NULL,
    version              INTEGER NOT NULL DEFAULT 1,
    created_at_ms        INTEGER NOT NULL,
    updated_at_ms        INTEGER NOT NULL,
    CHECK ((status = 'blocked') = (blocked_reason IS NOT NULL))
);
CREATE INDEX tasks_by_launch ON tasks (launch_id, function_name);
CREATE INDEX tasks_open_by_due ON tasks (due_date) WHERE status <> 'done';
CREATE INDEX tasks_open_by_owner ON tasks (owner_user_id) WHERE status <> 'done';
CREATE INDEX tasks_open_by_function ON tasks (function_name) WHERE status <> 'done';

CREATE TABLE task_roles (
    task_id INTEGER NOT NULL REFERENCES tasks (id),
    role    TEXT    NOT NULL CHECK (role IN ('accountable', 'consulted', 'informed')),
    user_id TEXT    NOT NULL,
    PRIMARY KEY (task_id, role, user_id)
);

CREATE TABLE function_settings (
    function_name TEXT PRIMARY KEY,
    channel_id    TEXT,
    lead_user_id  TEXT,
    updated_by    TEXT    NOT NULL,
    updated_at_ms INTEGER NOT NULL
);

CREATE TABLE history (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    launch_id  INTEGER NOT NULL REFERENCES launches (id),
    task_id    INTEGER REFERENCES tasks (id),
    actor      TEXT    NOT NULL,
    source     TEXT    NOT NULL,
    at_ms      INTEGER NOT NULL,
    field      TEXT    NOT NULL,
    from_value TEXT,
    to_value   TEXT,
    note       TEXT
);
CREATE INDEX history_by_task ON history (task_id, id);
CREATE INDEX history_by_launch ON history (launch_id, id);
CREATE INDEX history_by_time ON history (at_ms);
