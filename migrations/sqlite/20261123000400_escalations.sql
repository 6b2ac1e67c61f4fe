-- Escalation levels fired, once per task, episode and level. An episode is a stretch of the
-- same trouble: blocked since a given instant, or overdue against a given due date.
CREATE TABLE escalations (
    task_id     INTEGER NOT NULL REFERENCES tasks (id),
    episode     TEXT    NOT NULL,
    level       INTEGER NOT NULL CHECK (level BETWEEN 0 AND 3),
    launch_id   INTEGER NOT NULL REFERENCES launches (id),
    -- 'sent' (messages enqueued) or 'superseded' (a higher level was reached first).
    outcome     TEXT    NOT NULL,
    fired_at_ms INTEGER NOT NULL,
    PRIMARY KEY (task_id, episode, level)
);
CREATE INDEX escalations_by_launch ON escalations (launch_id, fired_at_ms);

-- Messages sent for an escalation, so resolution notices can reply in their threads.
CREATE TABLE escalation_messages (
    outbox_key TEXT PRIMARY KEY,
    task_id    INTEGER NOT NULL REFERENCES tasks (id),
    episode    TEXT    NOT NULL,
    level      INTEGER NOT NULL
);
CREATE INDEX escalation_messages_by_task ON escalation_messages (task_id);

-- "Blocked by": the task this one waits for, named in escalations.
ALTER TABLE tasks ADD COLUMN blocked_by_task_id INTEGER REFERENCES tasks (id);
