#!/usr/bin/env bash
# Builds Jiefen and starts a node on this machine, with its data under the checkout:
#   bash deploy/run-local.sh          build, create the node if needed, start it
#   bash deploy/run-local.sh stop     stop it (by the PID it recorded)
# The tier network (county, townships, villages) arrives with the links (issue 3); until
# then this starts one village centre.
set -euo pipefail
cd "$(dirname "$0")/.."
top=$(pwd)
run="$top/run"
node_id=v-dongcun
data="$run/$node_id"
port=7801

stop_node() {
  local pidfile="$data/jiefend.pid" pid
  pid=$(cat "$pidfile" 2>/dev/null || true)
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    echo "stopped $node_id (pid $pid)"
  else
    echo "$node_id is not running"
  fi
}

if [ "${1:-}" = stop ]; then
  stop_node
  exit 0
fi

bash deploy/install-deps.sh
cmake -S "$top" -B "$top/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$top/build" -j "$(nproc)" >/dev/null
bin="$top/build/node"

mkdir -p "$run"
if [ ! -f "$data/jiefend.conf" ]; then
  "$bin/jiefend" init --data "$data" --tier village --id "$node_id" --name 东村 \
    --http "127.0.0.1:$port"
fi
if "$bin/jiefenctl" --data "$data" status >/dev/null 2>&1; then
  echo "$node_id is already running"
else
  nohup "$bin/jiefend" --data "$data" >>"$run/$node_id.log" 2>&1 &
  for _ in $(seq 100); do [ -s "$data/jiefend.addr" ] && break; sleep 0.05; done
  [ -s "$data/jiefend.addr" ] || { echo "jiefend did not start; see $run/$node_id.log" >&2; exit 1; }
fi

cat <<MSG

Jiefen node $node_id (东村, village) is running.
  API:      http://$(cat "$data/jiefend.addr")/api/v1/status  (token: $data/admin.token)
  Data:     $data
  Log:      $run/$node_id.log
  Try:      $bin/jiefenctl --data $data status
            $bin/jiefenctl --data $data case list
  Stop:     bash deploy/run-local.sh stop
MSG
