-- Web API methods Slack rate-limited, and until when: shared by every delivery worker and
-- instance, so none of them undercuts a Retry-After another one received.
CREATE TABLE rate_limit_holds (
    method    TEXT PRIMARY KEY,
    until_ms  INTEGER NOT NULL
);
