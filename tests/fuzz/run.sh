#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, in build-fuzz/) and runs each for SECONDS (default
# 10) on a copy of its seed corpus, so the committed corpus (tests/fuzz/corpus/) does not
# grow. Crash inputs are kept in build-fuzz/fuzz-artifacts/<target>/. Exits non-zero if any
# target crashes (or leaks, or hangs); ends with one line per target.
#
#   tests/fuzz/run.sh [SECONDS]
set -uo pipefail
cd "$(dirname "$0")/../.."
top=$(pwd)

secs=${1:-10}
if ! [[ $secs =~ ^[0-9]+$ ]] || [ "$secs" -eq 0 ]; then
  echo "usage: tests/fuzz/run.sh [SECONDS]" >&2
  exit 2
fi
if ! command -v clang >/dev/null; then
  echo "fuzz: clang is missing (bash deploy/install-deps.sh installs it)" >&2
  exit 1
fi

targets=(envelope cert linkmsg http)
build=$top/build-fuzz
jobs=$(nproc 2>/dev/null || echo 2)
cmake -S "$top" -B "$build" -DCMAKE_C_COMPILER=clang -DJIEFEN_FUZZ=ON -DJIEFEN_WERROR=ON \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null || exit 1
cmake --build "$build" -j "$jobs" --target fuzz >/dev/null || {
  cmake --build "$build" --target fuzz   # again, to show the errors
  exit 1
}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/jiefen-fuzz-run-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

status=0
summary=()
for t in "${targets[@]}"; do
  art=$build/fuzz-artifacts/$t
  mkdir -p "$tmp/$t" "$art"
  cp -r "$top/tests/fuzz/corpus/$t" "$tmp/$t/corpus"
  log=$tmp/$t/log
  echo "== fuzz_$t for $secs s"
  # -timeout: one input running this long is a hang (fuzz_http gives up after 10 s itself).
  TMPDIR=$tmp/$t "$build/tests/fuzz/fuzz_$t" -max_total_time="$secs" -timeout=30 \
    -print_final_stats=1 -artifact_prefix="$art/" "$tmp/$t/corpus" >"$log" 2>&1
  rc=$?
  # (after a crash the stats may appear twice: keep the last)
  runs=$(awk '/^stat::number_of_executed_units:/ {v = $2} END {print v}' "$log")
  rate=$(awk '/^stat::average_exec_per_sec:/ {v = $2} END {print v}' "$log")
  cov=$(grep -E '^#[0-9]+.*(DONE|pulse|NEW|REDUCE)' "$log" | tail -1 | grep -oE 'cov: [0-9]+ ft: [0-9]+')
  echo "   ${runs:-?} runs, ${rate:-?}/s, ${cov:-no coverage line}, corpus $(ls "$tmp/$t/corpus" | wc -l) files"
  if [ "$rc" -eq 0 ]; then
    summary+=("fuzz: $t ${runs:-0} runs, ok")
    continue
  fi
  status=1
  crash=$(grep -oE "Test unit written to [^ ]+" "$log" | tail -1 | sed 's/Test unit written to //')
  cp "$log" "$art/log-$t.txt"
  echo "   FAILED (exit $rc); the fuzzer's output ends:"
  grep -vE '^(#[0-9]|INFO:|stat::)' "$log" | tail -40 | sed 's/^/   | /'
  summary+=("fuzz: $t CRASH ${crash:-"(no crash file; see $art/log-$t.txt)"}")
done

for line in "${summary[@]}"; do
  echo "$line"
done
exit $status
