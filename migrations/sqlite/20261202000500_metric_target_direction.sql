-- Which side of a metric's target is success: most targets are "at least" (signups, pipeline),
-- some are "under" (support tickets under 50). Existing targets keep meaning "at least".
ALTER TABLE launch_metrics
    ADD COLUMN target_direction TEXT NOT NULL DEFAULT 'at_least'
    CHECK (target_direction IN ('at_least', 'more_than', 'less_than', 'at_most'));
