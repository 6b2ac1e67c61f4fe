#!/usr/bin/env bash
# Runs every benchmark in BENCHMARKS.md in release mode and prints the numbers.
#   scripts/bench.sh                 all of them (SQLite; PostgreSQL too if BENCH_POSTGRES_URL is set)
#   BENCH_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test scripts/bench.sh
#   BENCH_DELIVER_SECS=900 scripts/bench.sh   deliver the whole check-in round (default: 60 s of it)
# Takes a few minutes after the build; run it on an otherwise idle machine.
set -euo pipefail
cd "$(dirname "$0")/.."
target="${CARGO_TARGET_DIR:-target}"

echo "==> machine: $(nproc) cores, $(free -m | awk '/Mem:/ {print $2}') MB RAM, $(date -u +%F)"

echo "==> criterion: parsers and renderers"
cargo bench --locked --bench parsers
cargo bench --locked --bench renderers

echo "==> PMO scale: check-in round, digest, escalation sweep"
cargo bench --locked --bench pmo -- --deliver-secs "${BENCH_DELIVER_SECS:-60}"

echo "==> slash commands over HTTP, start-up and idle RSS (the release binary)"
cargo build --locked --release --bin liftoff --example loadgen
pg_args=()
if [ -n "${BENCH_POSTGRES_URL:-}" ]; then
    pg_args=(--postgres "${BENCH_POSTGRES_URL}")
fi
"${target}/release/examples/loadgen" --binary "${target}/release/liftoff" \
    --rate "${BENCH_RATE:-1000}" --secs "${BENCH_SECS:-20}" "${pg_args[@]}"
