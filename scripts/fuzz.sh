#!/usr/bin/env bash
# Long fuzz runs of the parsers, in two parts:
#
# 1. The property tests in src/slack/no_panic_tests.rs (command grammar, thread replies, dates,
#    event and interaction payloads), LIFTOFF_FUZZ_CASES generated inputs each (default
#    1,000,000), in release mode. A panic or an unclear error fails the run and proptest prints
#    the minimal failing input.
# 2. Coverage-guided fuzzing with cargo-fuzz (libFuzzer) of the targets in fuzz/fuzz_targets/
#    (command_text, thread_reply, dates, slack_text, payloads, blocks), each for N seconds.
#    Each starts from fuzz/seeds/<target>/ (committed) and fuzz/corpus/<target>/ (kept between
#    runs, not committed). cargo-fuzz needs nightly compiler flags; on stable they are enabled
#    with RUSTC_BOOTSTRAP=1. cargo-fuzz is installed from crates.io if it is missing.
#    A crash fails the run after all targets have run; its input is in
#    fuzz/artifacts/<target>/ and `RUSTC_BOOTSTRAP=1 cargo fuzz run <target> <that file>`
#    replays it. Each target's full libFuzzer log is in fuzz/artifacts/logs/<target>.log.
#
#   scripts/fuzz.sh [seconds per libFuzzer target, default 60 or $FUZZ_SECONDS]
#
# Environment: LIFTOFF_FUZZ_CASES (proptest cases per target, default 1000000),
# FUZZ_SECONDS (as the argument), FUZZ_TARGETS (space-separated subset of the libFuzzer
# targets, default all), FUZZ_SKIP_PROPTEST=1 (only the libFuzzer part).
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-${FUZZ_SECONDS:-60}}"
cases="${LIFTOFF_FUZZ_CASES:-1000000}"
targets="${FUZZ_TARGETS:-command_text thread_reply dates slack_text payloads blocks}"
start=$(date +%s)

if [[ "${FUZZ_SKIP_PROPTEST:-0}" != 1 ]]; then
    echo "==> proptest: ${cases} cases per property target"
    LIFTOFF_FUZZ_CASES="$cases" cargo test --release --locked --lib no_panic_tests -- --test-threads 2 2>&1 \
        | grep -E '^test |test result'
    echo "==> proptest done in $(( $(date +%s) - start )) s"
fi

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "==> installing cargo-fuzz"
    cargo install cargo-fuzz --locked
fi
export RUSTC_BOOTSTRAP=1

echo "==> libFuzzer: building targets"
cargo fuzz build

mkdir -p fuzz/artifacts/logs
failed=()
for target in $targets; do
    echo "==> libFuzzer: ${target} for ${seconds} s"
    mkdir -p "fuzz/corpus/${target}" "fuzz/seeds/${target}"
    log="fuzz/artifacts/logs/${target}.log"
    if cargo fuzz run "$target" "fuzz/corpus/${target}" "fuzz/seeds/${target}" -- \
        -max_total_time="$seconds" -rss_limit_mb=2048 >"$log" 2>&1; then
        # libFuzzer's summary: "#N DONE cov: … exec/s: …" and "Done N runs in S second(s)".
        grep -E '^#[0-9]+[[:space:]]+DONE|^Done [0-9]+ runs' "$log" || tail -n 3 "$log"
    else
        failed+=("$target")
        echo "!!! ${target} crashed; the panic and the input:"
        grep -E "panicked at|^thread '|Test unit written to|Base64:|ERROR: libFuzzer" "$log" | head -n 20 || true
        echo "!!! full log: ${log}"
    fi
done

echo "==> done in $(( $(date +%s) - start )) s"
if (( ${#failed[@]} )); then
    echo "==> crashes in: ${failed[*]} (inputs in fuzz/artifacts/<target>/)" >&2
    exit 1
fi
