-- The delivery worker polls for the first due message of each target several times a second.
-- With the old index it walked the whole outbox for every unsent message (the table keeps every
-- message sent), and on SQLite each row's state sits after its payload, in the payload's
-- overflow pages: after a check-in round of 4,350 messages, one poll took seconds. This index
-- holds everything the poll, the drain's counts and the backlog gauge ask of unsent messages,
-- so they read it alone and never the payloads.
DROP INDEX outbox_unsent_by_target;
CREATE INDEX outbox_unsent_by_target
    ON outbox (target, id, state, next_attempt_at_ms, lease_until_ms, created_at_ms)
    WHERE state IN ('pending', 'sending');
-- Nothing reads unsent messages by due time alone any more; one index fewer to write per message.
DROP INDEX outbox_unsent;
