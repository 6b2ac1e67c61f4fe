#!/usr/bin/env bash
# Crash soak: kills `liftoff serve` (SIGKILL) at random points of a check-in round, many times,
# restarts it, and checks that every message was posted exactly once and no acknowledged update
# was lost (tests/api/faults.rs). CI runs 30 kills; this runs more, several rounds over.
#
#   scripts/soak.sh [kills per round, default 300] [rounds, default 3]
#
# Each round prints its seed; rerun one with LIFTOFF_FAULT_SEED=<seed>. With TEST_DATABASE_URL
# set, the two-instance PostgreSQL test is soaked too.
set -euo pipefail
cd "$(dirname "$0")/.."
kills="${1:-300}"
rounds="${2:-3}"
for round in $(seq 1 "$rounds"); do
    echo "==> soak round ${round}/${rounds}: ${kills} kills"
    LIFTOFF_SOAK_ITERATIONS="$kills" cargo test --locked --test api faults:: -- --nocapture --test-threads 1 2>&1 \
        | grep -E 'seed|kills in|^test |test result'
done
