-- An event is claimed when it arrives and marked handled only once its effect is stored, so a
-- crash in between leaves a claim that Slack's retry (1 and 5 minutes later) takes over,
-- instead of a "seen" mark that makes the retry look like a duplicate and loses the update.
ALTER TABLE slack_events ADD COLUMN handled_at_ms BIGINT;
UPDATE slack_events SET handled_at_ms = received_at_ms;
