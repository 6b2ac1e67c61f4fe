-- When each channel may next receive a post, on the database's own clock: Slack allows about
-- one message per second per channel, and every delivery worker of every instance takes its
-- turn here, so N instances together keep to it.
CREATE TABLE channel_pacing (
    target          TEXT PRIMARY KEY,
    next_post_at_ms BIGINT NOT NULL
);
