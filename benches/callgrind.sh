#!/usr/bin/env bash
# Instructions per operation for the floor, this library and openidconnect, counted by
# callgrind on the client thread only (see examples/callgrind.rs), one
# target/callgrind/OPERATION-CLIENT.json each, for benches/report.py.
#
#   bash benches/callgrind.sh            # every operation and client
#   ITERATIONS=500 bash benches/callgrind.sh register
set -euo pipefail
cd "$(dirname "$0")/.."
iterations="${ITERATIONS:-1000}"
out=target/callgrind
mkdir -p "$out"
cargo build --release -q -p oidc-benches --example callgrind
binary=target/release/examples/callgrind

for operation in ${1:-register register_unvalidated register_recorded discovery warm_lookup}; do
    case "$operation" in
        warm_lookup | register_unvalidated | register_recorded) clients="library" ;;
        *) clients="floor library openidconnect" ;;
    esac
    for client in $clients; do
        file="$out/$operation-$client.out"
        valgrind --tool=callgrind --collect-atstart=no --toggle-collect='*callgrind*measured*' \
            --callgrind-out-file="$file" "$binary" "$operation" "$client" "$iterations" \
            2>"$out/$operation-$client.log"
        # The "summary:" line (or "totals:") is the collected instruction count.
        total=$(awk '/^(summary|totals):/ {print $2; exit}' "$file")
        echo "$operation $client $((total / iterations)) instructions per operation"
        printf '{"operation": "%s", "client": "%s", "iterations": %s, "instructions": %s}\n' \
            "$operation" "$client" "$iterations" "$total" >"$out/$operation-$client.json"
    done
done
