#!/usr/bin/env bash
# Runs the full test suite N times in a row (default 3) while busy loops keep every core loaded,
# as on a busy CI machine, and prints each run's duration. Exits non-zero at the first failing run.
# The load is stopped however the script ends.  Usage: scripts/test-under-load.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-3}"
cores="$(node -p 'require("node:os").availableParallelism()')"
pids=()
stop_load() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; }
trap stop_load EXIT
for _ in $(seq 1 "$cores"); do
  node -e 'for (;;) Math.sqrt(Math.random())' &
  pids+=("$!")
done
echo "load: ${#pids[@]} busy node processes on $cores cores"
npm run pretest
for run in $(seq 1 "$runs"); do
  started=$(date +%s)
  npx vitest run
  echo "run $run of $runs passed in $(( $(date +%s) - started )) s (load average $(cut -d' ' -f1 /proc/loadavg 2>/dev/null || echo '?'))"
done
