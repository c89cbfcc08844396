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
token=$(cat "$work/node/admin.token")
# Each API figure beside LMDB's rate of durable one-record commits measured just before it,
# on the same disk at the same load (issue 19's goal is the ratio), and the daemon's CPU per
# intake: its loop thread (HTTP, JSON, checks, answers) and the pool threads (the group
# commit: sealing, signing, folds, LMDB, fsync).
ticks() { for t in /proc/"$pid"/task/*; do echo "${t##*/} $(awk '{print $14 + $15}' "$t/stat")"; done | sort; }
api_run() { # connections, requests in flight on each
  local verify one_commit out ok
  out=$("$build/tests/bench/bench_log" "$work" 2 machine)
  read -r verify one_commit <<<"$out"
  ticks >"$work/cpu.before"
  out=$("$build/tests/bench/bench_api" "${addr%:*}" "${addr##*:}" "$token" "$1" 4 "$2" "$one_commit")
  ticks >"$work/cpu.after"
  echo "$out"
  ok=$(echo "$out" | sed -n 's/.*(\([0-9]*\) ok.*/\1/p')
  join -a2 -e0 -o 2.1,1.2,2.2 "$work/cpu.before" "$work/cpu.after" |
    awk -v c="$1" -v n="$ok" -v v="$verify" -v hz="$(getconf CLK_TCK)" -v pid="$pid" '
      { us = ($3 - $2) / hz * 1e6 / (n ? n : 1); if ($1 == pid) loop += us; else pool += us }
      END { printf "api: %3s connections: daemon CPU per intake %.0f us (loop thread %.0f us, pool %.0f us); one core verified %d Ed25519 signatures/s just before\n",
            c, loop + pool, loop, pool, v }'
}
for c in 1 8 32 64; do
  api_run "$c" 1
done
# One connection, pipelined: the intakes in flight join one group commit.
api_run 1 32

# 1,100 slow clients (slowloris) against a jiefend with 1,024 fds: a real client's latency.
python3 tests/bench/bench_slowloris.py --bin "$build/node"

# 待办: GET /api/v1/inbox at a township holding 100,000 cases (goal: under 10 ms).
python3 tests/bench/bench_inbox.py --bin "$build/node" --tools "$build/tests/bench"

# The floor under a hop: the LMDB writes alone of folding 100,000 received cases.
"$build/tests/bench/bench_apply_floor" "$work/floor"

# The tier network: a 100,000-event backlog drains village -> township -> county.
python3 tests/bench/bench_network.py --bin "$build/node" --tools "$build/tests" --events 100000

# A parent that comes back: how soon its child, retrying with backoff, is linked again.
python3 tests/bench/bench_reconnect.py --bin "$build/node" --tools "$build/tests"

# Documents following a case: 1 GiB village -> township -> county, and small events meanwhile.
python3 tests/bench/bench_docs.py --bin "$build/node" --tools "$build/tests" --mib 1024

# A county, 20 townships and 400 villages: the tree's idle cost, memory and relink.
python3 tests/bench/bench_tree.py --bin "$build/node" --townships 20 --villages 20

# The ledger, the parent's view of its reports and the month's exports over a
# 3,000,000-case county store with 1,000,000 in the month (synthetic views).
"$build/tests/bench/bench_ledger" "$work" 3000000
