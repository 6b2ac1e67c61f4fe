-- One escalation message may list several tasks (a sweep posts one list per channel, launch and
-- level): it is recorded once for each task it lists, so resolving any of them finds its thread.
ALTER TABLE escalation_messages DROP CONSTRAINT escalation_messages_pkey;
ALTER TABLE escalation_messages ADD PRIMARY KEY (outbox_key, task_id);
