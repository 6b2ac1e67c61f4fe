#!/usr/bin/env bash
# Long fuzz runs of the parsers: the property tests in src/slack/no_panic_tests.rs (command
# grammar, thread replies, dates, event and interaction payloads), each for N generated inputs
# (default 1,000,000), in release mode. Any panic or unclear error fails the run and proptest
# prints the minimal failing input.
#
#   scripts/fuzz.sh [cases per target, default 1000000]
set -euo pipefail
cd "$(dirname "$0")/.."
cases="${1:-1000000}"
echo "==> ${cases} cases per fuzz target"
start=$(date +%s)
LIFTOFF_FUZZ_CASES="$cases" cargo test --release --locked --lib no_panic_tests -- --test-threads 2 2>&1 \
    | grep -E '^test |test result'
echo "==> done in $(( $(date +%s) - start )) s"
