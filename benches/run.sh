#!/usr/bin/env bash
# The whole benchmark suite, the callgrind counts and BENCHMARKS.md, in one command:
#
#   bash benches/run.sh                 # short measurement times (about 10 minutes)
#   CRITERION_ARGS="" bash benches/run.sh   # criterion's own defaults (longer, steadier)
#
# The sequential rows run pinned to one core, client and server together (`taskset -c 0`), so
# that neither waits for the other to be scheduled on the second core and the numbers hold
# still on a 2-core machine; the concurrent rows (64 tasks, 1,000 cold lookups) get every core.
set -euo pipefail
cd "$(dirname "$0")/.."
args=${CRITERION_ARGS---warm-up-time 1 --measurement-time 3}
cargo bench -p oidc-benches --no-run
bench() { cargo bench -q -p oidc-benches --bench "$1" -- $args "${@:2}"; }
pinned() { taskset -c 0 cargo bench -q -p oidc-benches --bench "$1" -- $args "${@:2}"; }
pinned floor '^(register_sequential|register_client_cpu|discovery|issuer_to_register|parse_fixtures|serialize_client_metadata|telemetry)/'
bench floor '^(register_concurrent_64|cold_lookups)/'
pinned cache
pinned metadata
bench store
ITERATIONS=${ITERATIONS:-300} bash benches/callgrind.sh
python3 benches/report.py >BENCHMARKS.md
echo "wrote BENCHMARKS.md"
