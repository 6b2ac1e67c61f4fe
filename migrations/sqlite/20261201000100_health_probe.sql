-- One row that `/readyz` writes: a service whose writes fail (a full disk, a read-only file
-- system, a lost write lock) is not ready, however well it still reads.
CREATE TABLE health_probe (
    id INTEGER PRIMARY KEY,
    probed_at_ms BIGINT NOT NULL
);
