#!/usr/bin/env bash
# Builds Jiefen twice (plain, and with AddressSanitizer + UndefinedBehaviorSanitizer) and
# runs every test against both builds: unit tests (cmocka) and integration tests (real
# jiefend processes on 127.0.0.1); then runs each fuzz target for 10 s (tests/fuzz/run.sh,
# a third build with clang). Benchmarks are built but not run here (tests/bench/).
set -euo pipefail
cd "$(dirname "$0")/.."
top=$(pwd)
bash deploy/install-deps.sh

jobs=$(nproc 2>/dev/null || echo 2)
build() { # dir, extra cmake args...
  local dir=$1; shift
  cmake -S "$top" -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
  cmake --build "$dir" -j "$jobs"
}

build build
build build-asan -DJIEFEN_SANITIZE=ON

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export LSAN_OPTIONS="suppressions=$top/tests/lsan.supp:print_suppressions=0"
status=0
for dir in build build-asan; do
  echo "== tests in $dir"
  (cd "$dir" && ctest --output-on-failure --timeout 900) || status=1
done
echo "== fuzz targets (clang, build-fuzz), 10 s each"
bash tests/fuzz/run.sh 10 || status=1
exit $status
