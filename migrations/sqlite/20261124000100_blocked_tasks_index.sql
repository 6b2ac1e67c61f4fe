-- Blocked tasks, for the escalation sweep: found through this small index instead of a scan
-- (the sweep's other candidates come through tasks_open_by_due).
CREATE INDEX tasks_blocked ON tasks (id) WHERE status = 'blocked';
