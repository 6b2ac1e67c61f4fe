#!/usr/bin/env bash
# Liftoff side by side with the Bolt-JS peer (issue #17, BENCHMARKS.md): the same signed
# `/launch show` and `/launch task` requests driven by wrk against the release `liftoff serve`
# and against benches/peers/bolt-js, alternating, and a Markdown table of the ratios.
#   scripts/peer-bench.sh                         2 rounds of 15 s per server and command
#   scripts/peer-bench.sh --rounds 3 --secs 30    arguments go to examples/peerbench.rs
# Installs wrk (Debian's package) when it is missing and the peer's npm packages when they are
# missing or older than its package-lock.json. Takes about three minutes after the builds; the
# numbers are rough on a shared machine. Never run by `cargo test` or .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."
target="${CARGO_TARGET_DIR:-target}"
peer=benches/peers/bolt-js

if ! command -v wrk >/dev/null 2>&1; then
    echo "==> installing wrk"
    sudo=()
    if [ "$(id -u)" -ne 0 ]; then sudo=(sudo); fi
    "${sudo[@]}" apt-get update -qq
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
fi

if ! command -v node >/dev/null 2>&1; then
    echo "node is not installed: the peer needs Node.js 20 or later, with npm" >&2
    exit 1
fi

# `npm ci` again whenever package-lock.json changed since the last one (its hash is kept in
# node_modules), or the native better-sqlite3 module does not load.
lock_hash="$(sha256sum "$peer/package-lock.json" | cut -d' ' -f1)"
stamp="$peer/node_modules/.peer-bench-lock"
if [ "$(cat "$stamp" 2>/dev/null)" != "$lock_hash" ] \
    || ! (cd "$peer" && node -e "require('better-sqlite3'); require('@slack/bolt')" >/dev/null 2>&1); then
    echo "==> npm ci in $peer (better-sqlite3 may build from source: a few minutes)"
    (cd "$peer" && npm ci --no-audit --no-fund)
    echo "$lock_hash" >"$stamp"
fi

echo "==> building the release binary and the harness"
cargo build --locked --release --bin liftoff --example peerbench

"${target}/release/examples/peerbench" --binary "${target}/release/liftoff" "$@"
