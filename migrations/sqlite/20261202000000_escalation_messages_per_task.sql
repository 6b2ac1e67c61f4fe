-- One escalation message may list several tasks (a sweep posts one list per channel, launch and
-- level): it is recorded once for each task it lists, so resolving any of them finds its thread.
CREATE TABLE escalation_messages_per_task (
    outbox_key TEXT    NOT NULL,
    task_id    INTEGER NOT NULL REFERENCES tasks (id),
    episode    TEXT    NOT NULL,
    level      INTEGER NOT NULL,
    PRIMARY KEY (outbox_key, task_id)
);
INSERT INTO escalation_messages_per_task (outbox_key, task_id, episode, level)
    SELECT outbox_key, task_id, episode, level FROM escalation_messages;
DROP TABLE escalation_messages;
ALTER TABLE escalation_messages_per_task RENAME TO escalation_messages;
CREATE INDEX escalation_messages_by_task ON escalation_messages (task_id);
