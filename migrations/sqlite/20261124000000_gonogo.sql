-- Go/no-go rounds: one open round per launch at a time (decided_at_ms IS NULL).
CREATE TABLE gonogos (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    launch_id     INTEGER NOT NULL REFERENCES launches (id),
    started_by    TEXT    NOT NULL,
    started_at_ms INTEGER NOT NULL,
    started_on    DATE    NOT NULL,
    decided_at_ms INTEGER,
    -- 'go' or 'no_go' once decided.
    verdict       TEXT,
    -- Bumped by every vote, so concurrent votes on one round are serialised.
    version       INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX gonogos_one_open_per_launch ON gonogos (launch_id) WHERE decided_at_ms IS NULL;

-- One ballot per involved function: who answers for it, and the answer once given.
CREATE TABLE gonogo_ballots (
    gonogo_id     INTEGER NOT NULL REFERENCES gonogos (id),
    function_name TEXT    NOT NULL,
    voter         TEXT    NOT NULL,
    vote          TEXT CHECK (vote IN ('go', 'no_go')),
    reason        TEXT,
    voted_at_ms   INTEGER,
    PRIMARY KEY (gonogo_id, function_name)
);
