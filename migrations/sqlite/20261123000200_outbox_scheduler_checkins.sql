-- The durable outbox: every message Liftoff sends is written here first, under a unique
-- idempotency key, and delivered by a worker that keeps Slack's ts. A key is never sent twice.
CREATE TABLE outbox (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    idempotency_key   TEXT    NOT NULL UNIQUE,
    kind              TEXT    NOT NULL,
    -- chat.postMessage, chat.postEphemeral or reactions.add
    method            TEXT    NOT NULL,
    -- A channel id, or a user id for a direct message (opened at delivery).
    target            TEXT    NOT NULL,
    -- For ephemeral messages: who sees it.
    recipient         TEXT,
    thread_ts         TEXT,
    -- Reply in the thread of the message with this key, once it has a ts.
    thread_of         TEXT,
    payload           TEXT    NOT NULL,
    state             TEXT    NOT NULL DEFAULT 'pending'
                      CHECK (state IN ('pending', 'sending', 'sent', 'failed')),
    attempts          INTEGER NOT NULL DEFAULT 0,
    next_attempt_at_ms INTEGER NOT NULL,
    -- A 'sending' row whose lease has expired belongs to a worker that died: it may be retried.
    lease_until_ms    INTEGER,
    channel           TEXT,
    ts                TEXT,
    last_error        TEXT,
    created_at_ms     INTEGER NOT NULL,
    sent_at_ms        INTEGER
);
CREATE INDEX outbox_unsent ON outbox (next_attempt_at_ms) WHERE state IN ('pending', 'sending');
CREATE INDEX outbox_unsent_by_target ON outbox (target, id) WHERE state IN ('pending', 'sending');
CREATE INDEX outbox_by_ts ON outbox (channel, ts);
CREATE INDEX outbox_by_kind ON outbox (kind, created_at_ms);

-- Scheduled job slots that have run (or were skipped): a slot runs at most once, whichever
-- instance or tick gets there first.
CREATE TABLE job_runs (
    job        TEXT    NOT NULL,
    slot       TEXT    NOT NULL,
    outcome    TEXT    NOT NULL,
    ran_at_ms  INTEGER NOT NULL,
    PRIMARY KEY (job, slot)
);

-- Check-in messages and the tasks each lists, so thread replies can be matched to them.
CREATE TABLE checkins (
    outbox_key     TEXT    PRIMARY KEY,
    function_name  TEXT    NOT NULL,
    round          TEXT    NOT NULL,
    created_at_ms  INTEGER NOT NULL
);
CREATE INDEX checkins_by_function ON checkins (function_name, created_at_ms);

CREATE TABLE checkin_tasks (
    outbox_key TEXT    NOT NULL,
    task_id    INTEGER NOT NULL REFERENCES tasks (id),
    owner_user_id TEXT,
    PRIMARY KEY (outbox_key, task_id)
);
CREATE INDEX checkin_tasks_by_task ON checkin_tasks (task_id);

-- People's time zones from users.info, so "today" and "overdue" are theirs.
CREATE TABLE user_profiles (
    user_id        TEXT PRIMARY KEY,
    timezone       TEXT    NOT NULL,
    fetched_at_ms  INTEGER NOT NULL
);
