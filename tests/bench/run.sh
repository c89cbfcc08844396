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

"$build/tests/bench/bench_log" "$work" 3 | tee "$work/bench_log.txt"
# LMDB's durable one-record commits per second, measured just now: the API's ceilings.
commits=$(awk '/LMDB durable commit/ {print $(NF-1)}' "$work/bench_log.txt")

"$build/node/jiefend" init --data "$work/node" --tier village --id bench --name 东村 \
  --http 127.0.0.1:0 >/dev/null
"$build/node/jiefend" --data "$work/node" 2>"$work/jiefend.log" &
pid=$!
for _ in $(seq 100); do [ -s "$work/node/jiefend.addr" ] && break; sleep 0.05; done
addr=$(head -n1 "$work/node/jiefend.addr")
token=$(cat "$work/node/admin.token")
for c in 1 8 32 64; do
  "$build/tests/bench/bench_api" "${addr%:*}" "${addr##*:}" "$token" "$c" 4 1 "$commits"
done
# One connection, pipelined: the intakes in flight join one group commit.
"$build/tests/bench/bench_api" "${addr%:*}" "${addr##*:}" "$token" 1 4 32 "$commits"

# 1,100 slow clients (slowloris) against a jiefend with 1,024 fds: a real client's latency.
python3 tests/bench/bench_slowloris.py --bin "$build/node"

# The tier network: a 100,000-event backlog drains village -> township -> county.
python3 tests/bench/bench_network.py --bin "$build/node" --tools "$build/tests" --events 100000

# A county, 20 townships and 400 villages: the tree's idle cost, memory and relink.
python3 tests/bench/bench_tree.py --bin "$build/node" --townships 20 --villages 20

# The ledger, the parent's view of its reports and the export over a 1,000,000-case
# county store (synthetic views).
"$build/tests/bench/bench_ledger" "$work" 1000000
