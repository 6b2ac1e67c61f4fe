-- The updates already applied from each person's message (a thread reply or a DM), by the
-- message's channel and ts. An edited message (`message_changed`) applies only what it adds,
-- so an edit, an unfurl or a redelivered edit never applies one update twice.
CREATE TABLE reply_updates (
    channel_id TEXT NOT NULL,
    message_ts TEXT NOT NULL,
    update_key TEXT NOT NULL,
    applied_at_ms BIGINT NOT NULL,
    PRIMARY KEY (channel_id, message_ts, update_key)
);
