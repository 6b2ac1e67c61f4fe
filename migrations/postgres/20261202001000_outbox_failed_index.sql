-- Messages that failed for good, newest first, for `/launch show`, the digest and the App Home:
-- through this small index instead of scanning the outbox, which keeps every message sent
-- (thousands a day once check-ins run), for the few that failed.
CREATE INDEX outbox_failed ON outbox (id) WHERE state = 'failed';
