#!/usr/bin/env bash
# Runs the benchmarks and prints their figures:
#   tests/bench/run.sh [BUILD_DIR]     (default: build, made by tests/run-all.sh)
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build}
[ -x "$build/node/jiefend" ] || { echo "build first: bash tests/run-all.sh" >&2; exit 1; }
work=$(mktemp -d /tmp/jiefen-bench.XXXXXX)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

"$build/tests/bench/bench_log" "$work" 3

"$build/node/jiefend" init --data "$work/node" --tier village --id bench --name 东村 \
  --http 127.0.0.1:0 >/dev/null
"$build/node/jiefend" --data "$work/node" 2>"$work/jiefend.log" &
pid=$!
for _ in $(seq 100); do [ -s "$work/node/jiefend.addr" ] && break; sleep 0.05; done
addr=$(head -n1 "$work/node/jiefend.addr")
for c in 1 8 32 64; do
  "$build/tests/bench/bench_api" "${addr%:*}" "${addr##*:}" "$(cat "$work/node/admin.token")" "$c" 4
done

# The tier network: a 100,000-event backlog drains village -> township -> county.
python3 tests/bench/bench_network.py --bin "$build/node" --tools "$build/tests" --events 100000

# The ledger, the parent's view of its reports and the month's exports over a
# 3,000,000-case county store with 1,000,000 in the month (synthetic views).
"$build/tests/bench/bench_ledger" "$work" 3000000
