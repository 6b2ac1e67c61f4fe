-- Events already received from Slack, by their globally unique event_id: Slack retries
-- deliveries (X-Slack-Retry-Num), and each event must take effect once.
CREATE TABLE slack_events (
    event_id       TEXT PRIMARY KEY,
    received_at_ms BIGINT NOT NULL
);

-- A snoozed task is not nudged or escalated before this date (its owner asked for a day).
ALTER TABLE tasks ADD COLUMN snoozed_until DATE;
