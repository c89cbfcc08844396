#!/usr/bin/env bash
# Builds Jiefen and runs a three-tier network on 127.0.0.1, data and logs under run/:
#
#   bash deploy/run-local.sh          install deps, build, create and enrol the nodes on
#                                     first run, start those not running, print where to look
#   bash deploy/run-local.sh stop     stop every node (SIGTERM to the PID in DIR/jiefend.pid)
#   bash deploy/run-local.sh status   each node's `jiefenctl status`
#
# The nodes are the example configs in deploy/network/ (one per node, named ID.conf): the
# county c-helan 贺兰县, townships t-xinzhen 新镇 and t-liqi 立岗镇, two villages under each.
# A node's parent is the node whose [link] listen is its [link] parent. Node ID's data is
# run/ID/ (its jiefend.conf is a copy of deploy/network/ID.conf), its log run/ID.log.
# Enrolment is top-down and happens once; its request and bundle files stay in run/enrol/.
# Running it again starts what is stopped and changes nothing else.
set -euo pipefail
cd "$(dirname "$0")/.."
top=$(pwd)
run="$top/run"
net="$top/deploy/network"
bin="$top/build/node"
jiefend="$bin/jiefend"
ctl="$bin/jiefenctl"
# Debian's own python3 (deploy/install-deps.sh installs it): a pyenv shim first on PATH
# can take a second to start, and the script asks for a few dozen statuses.
py=/usr/bin/python3
[ -x "$py" ] || py=python3

die() { echo "run-local: $*" >&2; exit 1; }
since() { LC_ALL=C awk -v a="${1/,/.}" -v b="${EPOCHREALTIME/,/.}" 'BEGIN { printf "%.1f", b - a }'; }

# -- the network, from deploy/network/*.conf -------------------------------------------

# conf_get FILE SECTION.KEY...: each value, trimmed, one per line (empty if absent).
conf_get() {
  local f=$1; shift
  awk -v keys="$*" '
    BEGIN { n = split(keys, want, " ") }
    /^[ \t]*[#;]/ { next }
    /^[ \t]*\[/ { sec = $0; gsub(/[][ \t]/, "", sec); next }
    (i = index($0, "=")) {
      k = substr($0, 1, i - 1); gsub(/^[ \t]+|[ \t]+$/, "", k)
      v = substr($0, i + 1); gsub(/^[ \t]+|[ \t]+$/, "", v)
      if (!((sec "." k) in val)) val[sec "." k] = v
    }
    END { for (j = 1; j <= n; j++) print val[want[j]] }' "$f"
}

tier_rank() {
  case $1 in
    province) echo 0 ;; city) echo 1 ;; county) echo 2 ;; township) echo 3 ;; village) echo 4 ;;
    *) echo 9 ;;
  esac
}

declare -A NAME TIER HTTP LISTEN PARENT_EP PARENT CONF
NODES=()   # top-down: by tier, then by HTTP port
load_network() {
  local f id rows=() ep p v
  shopt -s nullglob
  for f in "$net"/*.conf; do
    mapfile -t v < <(conf_get "$f" node.id node.name node.tier http.listen link.listen link.parent)
    id=${v[0]}
    [ "$id" = "$(basename "$f" .conf)" ] || die "$f: [node] id is '$id', expected $(basename "$f" .conf)"
    CONF[$id]=$f NAME[$id]=${v[1]} TIER[$id]=${v[2]} HTTP[$id]=${v[3]}
    LISTEN[$id]=${v[4]} PARENT_EP[$id]=${v[5]}
    [ -n "${HTTP[$id]}" ] || die "$f: no [http] listen"
    rows+=("$(tier_rank "${TIER[$id]}") ${HTTP[$id]##*:} $id")
  done
  shopt -u nullglob
  [ ${#rows[@]} -gt 0 ] || die "no node configs in $net"
  mapfile -t NODES < <(printf '%s\n' "${rows[@]}" | sort -n -k1,1 -k2,2 | awk '{print $3}')
  local roots=0
  for id in "${NODES[@]}"; do
    ep=${PARENT_EP[$id]}
    if [ -z "$ep" ]; then
      PARENT[$id]=""
      roots=$((roots + 1))
      continue
    fi
    PARENT[$id]=""
    for p in "${NODES[@]}"; do
      [ "${LISTEN[$p]}" = "$ep" ] && PARENT[$id]=$p
    done
    [ -n "${PARENT[$id]}" ] || die "${CONF[$id]}: no node in $net listens on [link] parent = $ep"
    [ "$(tier_rank "${TIER[${PARENT[$id]}]}")" -lt "$(tier_rank "${TIER[$id]}")" ] ||
      die "${CONF[$id]}: parent ${PARENT[$id]} is not of a higher tier"
  done
  [ $roots -eq 1 ] || die "$net: expected exactly one root (a node with an empty [link] parent), found $roots"
}

dir_of() { echo "$run/$1"; }
log_of() { echo "$run/$1.log"; }

# alive PID: the process exists and has not exited (a zombie waiting for init to reap it,
# as the daemons started here are once this script is gone, has).
alive() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  [ "${stat%% *}" != Z ]
}

# pid_of ID: the PID of the jiefend running on ID's data dir, or nothing (exit 1).
# The daemon writes DIR/jiefend.pid and removes it on a clean stop; after a crash it may
# name a dead process, or one that is not jiefend.
pid_of() {
  local pid
  pid=$(head -c 32 "$(dir_of "$1")/jiefend.pid" 2>/dev/null | tr -dc 0-9) || true
  [ -n "$pid" ] && alive "$pid" &&
    [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = jiefend ] || return 1
  echo "$pid"
}

# status_field ID PYTHON-EXPR: evaluates EXPR on the node's status JSON (as d).
status_field() {
  "$ctl" --data "$(dir_of "$1")" --json status 2>/dev/null |
    "$py" -c "import json, sys; d = json.load(sys.stdin); print($2)"
}

# -- stop and status -------------------------------------------------------------------

stop_all() {
  local id pid sent=() i
  for ((i = ${#NODES[@]} - 1; i >= 0; i--)); do   # villages first
    id=${NODES[$i]}
    if pid=$(pid_of "$id"); then
      kill -TERM "$pid"
      sent+=("$id:$pid")
    else
      echo "$id is not running"
    fi
  done
  local failed=0 entry t0=$EPOCHREALTIME
  for entry in "${sent[@]}"; do
    id=${entry%%:*} pid=${entry#*:}
    for ((i = 0; i < 600; i++)); do alive "$pid" || break; sleep 0.05; done
    if alive "$pid"; then
      echo "$id (pid $pid) did not stop within 30 s; see $(log_of "$id")" >&2
      failed=1
    else
      echo "stopped $id (pid $pid)"
    fi
  done
  [ ${#sent[@]} -eq 0 ] || echo "${#sent[@]} node(s) stopped in $(since "$t0") s"
  return $failed
}

status_all() {
  [ -x "$ctl" ] || die "$ctl is not built yet: run bash deploy/run-local.sh"
  local id pid down=0
  for id in "${NODES[@]}"; do
    echo "== $id ${NAME[$id]} (${TIER[$id]}) http://${HTTP[$id]}  data $(dir_of "$id")"
    if pid=$(pid_of "$id"); then
      echo "   running, pid $pid"
      "$ctl" --data "$(dir_of "$id")" status | sed 's/^/   /' || down=1
    else
      echo "   not running (bash deploy/run-local.sh starts it)"
      down=1
    fi
  done
  return $down
}

case "${1:-start}" in
  start) ;;
  stop) load_network; stop_all; exit ;;
  status) load_network; status_all; exit ;;
  -h|--help|help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  *) echo "usage: bash deploy/run-local.sh [start|stop|status]" >&2; exit 2 ;;
esac

# -- start -----------------------------------------------------------------------------

load_network
bash deploy/install-deps.sh
mkdir -p "$run" "$run/enrol"
echo "building $top/build (log: $run/build.log)"
if ! { cmake -S "$top" -B "$top/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo &&
       cmake --build "$top/build" -j "$(nproc)"; } >"$run/build.log" 2>&1; then
  tail -n 30 "$run/build.log" >&2
  die "the build failed; see $run/build.log"
fi

changed=0

create_node() { # ID: jiefend init with the example config's values, then the config itself
  local id=$1 dir
  dir=$(dir_of "$id")
  local tz args=(init --data "$dir" --tier "${TIER[$id]}" --id "$id" --name "${NAME[$id]}"
                 --http "${HTTP[$id]}")
  tz=$(conf_get "${CONF[$id]}" node.time_zone)
  [ -z "$tz" ] || args+=(--time-zone "$tz")
  [ -z "${LISTEN[$id]}" ] || args+=(--link-listen "${LISTEN[$id]}")
  "$jiefend" "${args[@]}" >/dev/null
  install -m 0640 "${CONF[$id]}" "$dir/jiefend.conf"
  "$jiefend" --data "$dir" --check-config >/dev/null
  echo "created $id (${NAME[$id]}, ${TIER[$id]}) in $dir from ${CONF[$id]#"$top"/}"
}

start_node() { # ID
  local id=$1 dir log pid
  dir=$(dir_of "$id") log=$(log_of "$id")
  rm -f "$dir/jiefend.addr"   # a crashed daemon leaves its last one behind
  echo "--- $(date -u +%FT%TZ) run-local.sh starts $id" >>"$log"
  # In a session of its own: a Ctrl-C or hangup of this terminal does not reach it.
  setsid "$jiefend" --data "$dir" </dev/null >>"$log" 2>&1 &
  local launched=$! i
  for ((i = 0; i < 200; i++)); do
    if [ -s "$dir/jiefend.addr" ] && pid=$(pid_of "$id") &&
       "$ctl" --data "$dir" status >/dev/null 2>&1; then
      echo "started $id (pid $pid) on http://$(head -n1 "$dir/jiefend.addr")"
      return 0
    fi
    # Exited (a bad config, a port in use). setsid only forks (then $! exits at once)
    # when run with job control, so wait a little for the pid file before giving up.
    alive "$launched" || [ $i -lt 20 ] || pid_of "$id" >/dev/null || break
    sleep 0.05
  done
  tail -n 20 "$log" >&2
  die "$id did not start; see $log"
}

# enrol_node ID: enrols ID (running) once: the root makes itself root; a child is approved
# by its parent (running and enrolled, being higher in NODES).
enrol_node() {
  local id=$1 dir p pdir req bundle out
  dir=$(dir_of "$id")
  p=${PARENT[$id]}
  if [ -z "$p" ]; then
    # A root shows no certificate in its status; one with children has one.
    [ "$(status_field "$id" 'len(d["links"]["children"])')" = 0 ] || return 0
    if out=$("$ctl" --data "$dir" enrol root 2>&1); then
      echo "enrolled $id as the root of the tree"
      changed=1
    elif ! grep -q -e already_enrolled -e 已有证书 <<<"$out"; then
      echo "$out" >&2
      die "$id: enrol root failed"
    fi
    return 0
  fi
  [ "$(status_field "$id" 'd["links"]["parent"] is None')" = True ] || return 0
  pdir=$(dir_of "$p")
  req="$run/enrol/$id.request" bundle="$run/enrol/$id.bundle"
  if [ ! -s "$bundle" ]; then   # a bundle already approved is installed, not asked again
    "$ctl" --data "$dir" enrol request --out "$req" >/dev/null
    "$ctl" --data "$pdir" enrol approve "$req" --out "$bundle" >/dev/null ||
      die "$p did not approve $id (above); if it had approved it before and
  run/enrol/$id.bundle was lost, start afresh: bash deploy/run-local.sh stop; rm -rf run/"
  fi
  "$ctl" --data "$dir" enrol install "$bundle" >/dev/null
  echo "enrolled $id under $p (run/enrol/$id.request, $id.bundle)"
  changed=1
}

# add_users ID: on first run, one account per role at ID for the web console, each with a
# random password, listed in run/accounts.txt (mode 0600). Real centres add their own
# staff (docs/cli.md, "user").
add_users() {
  local id=$1 dir user role name pw
  dir=$(dir_of "$id")
  [ "$("$ctl" --data "$dir" --json user list | "$py" -c 'import json,sys; print(len(json.load(sys.stdin)["users"]))')" = 0 ] || return 0
  [ -f "$run/accounts.txt" ] || install -m 0600 /dev/null "$run/accounts.txt"
  for entry in chuangkou:clerk:窗口受理员 tiaojie:mediator:调解员 zhuren:director:中心主任 \
               lingdao:leader:包案领导 guanli:admin:管理员; do
    IFS=: read -r user role name <<<"$entry"
    [ "$role" != leader ] || [ "${TIER[$id]}" != village ] || continue
    pw=$("$py" -c 'import secrets; print(secrets.token_urlsafe(9))')
    printf '%s\n' "$pw" | "$ctl" --data "$dir" user add "$user" --role "$role" \
      --name "${NAME[$id]}$name" --password-stdin >/dev/null
    printf '%-10s %-9s %-9s %s\n' "$id" "$user" "$role" "$pw" >>"$run/accounts.txt"
  done
  echo "added console accounts at $id (run/accounts.txt)"
}

t0=$EPOCHREALTIME
for id in "${NODES[@]}"; do
  dir=$(dir_of "$id")
  if [ ! -f "$dir/jiefend.conf" ]; then
    create_node "$id"
    changed=1
  elif ! cmp -s "${CONF[$id]}" "$dir/jiefend.conf"; then
    echo "note: $dir/jiefend.conf differs from ${CONF[$id]#"$top"/}; $id runs with the former"
  fi
  if pid=$(pid_of "$id"); then
    echo "$id is already running (pid $pid)"
    [[ "$(readlink "/proc/$pid/exe")" != *" (deleted)" ]] ||
      echo "note: $id runs an older build of jiefend; stop and start again to run the new one"
  else
    start_node "$id"
    changed=1
  fi
  enrol_node "$id"
  add_users "$id"
done

# Every child should find its parent within a few seconds.
unlinked=()
for _ in $(seq 150); do
  unlinked=()
  for id in "${NODES[@]}"; do
    [ -z "${PARENT[$id]}" ] ||
      [ "$(status_field "$id" '(d["links"]["parent"] or {}).get("online")')" = True ] ||
      unlinked+=("$id")
  done
  [ ${#unlinked[@]} -gt 0 ] || break
  sleep 0.1
done
if [ $changed = 0 ]; then
  echo "all ${#NODES[@]} nodes were already running; nothing changed"
fi
if [ ${#unlinked[@]} -gt 0 ]; then
  echo "warning: not linked to their parent yet: ${unlinked[*]} (see their logs)" >&2
else
  echo "all ${#NODES[@]} nodes running, $((${#NODES[@]} - 1)) links online ($(since "$t0") s)"
fi

# -- where to look ---------------------------------------------------------------------

root="" village=""
for id in "${NODES[@]}"; do
  [ -n "${PARENT[$id]}" ] || root=$id
  [ "${TIER[$id]}" != village ] || [ -n "$village" ] || village=$id
done
rel() { echo "${1#"$top"/}"; }
echo
echo "Jiefen network on 127.0.0.1 (in $top):"
printf '  %-10s %-8s %-22s %-15s %-19s %s\n' node tier URL 'data dir' 'log file' name
for id in "${NODES[@]}"; do
  indent=""
  [ -z "${PARENT[$id]}" ] || indent="  "
  [ "${TIER[$id]}" != village ] || indent="    "
  printf '  %-10s %-8s %-22s %-15s %-19s %s\n' "$id" "${TIER[$id]}" "http://${HTTP[$id]}" \
    "$(rel "$(dir_of "$id")")/" "$(rel "$(log_of "$id")")" "$indent${NAME[$id]}"
done
vname=${NAME[$village]}
cat <<MSG

Each node's web console (网页工作台) is its URL above, e.g. http://${HTTP[$village]}/ for
${NAME[$village]}: log in with an account of that node from $(rel "$run")/accounts.txt (node, user,
role, password; one per role at each node). The API also takes the token in
DATA/admin.token; jiefenctl reads it for you. Try:

  $ctl --data $(dir_of "$root") status
  $ctl --data $(dir_of "$village") case new --category land_contract \\
      --matter-type dispute_mediation --village $vname --source walk_in \\
      --summary 承包地边界争议 --complexity simple \\
      --party 'role=applicant,name=张三,id=11010519491231002X,phone=13800138000,address=${vname}3组12号' \\
      --party 'role=respondent,name=李四,id=110101199003077571,phone=13900139000,address=${vname}3组14号'
  $ctl --data $(dir_of "$root") case list
  # three failed mediations at the village escalate the case to its township (3221):
  $ctl --data $(dir_of "$village") case attempt ${village}-$(date +%Y)-000001 --mediator 王调解 \
      --date $(date +%F) --method people --outcome failed        # (run it three times)
  $ctl --data $(dir_of "$village") case show ${village}-$(date +%Y)-000001
  $ctl --data $(dir_of "$root") supervision
  $ctl --data $(dir_of "$root") directive send --all --kind screening --title 开展矛盾纠纷排查
  $ctl --data $(dir_of "$village") directive list

  bash deploy/run-local.sh status     every node's status and links
  bash deploy/run-local.sh stop       stop them all (data stays in run/; start again any time)
MSG
