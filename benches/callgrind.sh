#!/usr/bin/env bash
# Instruction counts per call of every hot-path case, under callgrind: the
# repeatable cross-check of the criterion ratios on a shared, noisy machine.
#
#   bash benches/callgrind.sh [FILTER]      (from the workspace root)
#
# COUNT_BIN=path runs another build of the binary (e.g. of a patched copy).
#
# Each case runs twice in the `count-instructions` binary, N times and 0
# times; the difference divided by N is the cost of one call, setup and
# verification excluded. Prints a tab-separated table: case, input octets,
# instructions per call, instructions per input octet.
set -euo pipefail
filter="${1:-}"
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
bin="${COUNT_BIN:-}"
if [[ -z "$bin" ]]; then
    cargo build --quiet --release -p smtp-benches --bin count-instructions
    bin="$root/target/release/count-instructions"
fi
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

instructions() { # CASE N -> total instructions of the run
    valgrind --tool=callgrind --callgrind-out-file="$out/cg" "$bin" "$1" "$2" >/dev/null 2>&1
    awk '/^summary:/ { print $2 }' "$out/cg"
}

printf 'case\tbytes\tinstructions/call\tinstructions/byte\n'
"$bin" list | while IFS=$'\t' read -r id bytes; do
    [[ -z "$filter" || "$id" == *"$filter"* ]] || continue
    # About 2 MB of input per run, at least 4 calls.
    n=$(( 2000000 / bytes ))
    (( n < 4 )) && n=4
    (( n > 2000 )) && n=2000
    base=$(instructions "$id" 0)
    total=$(instructions "$id" "$n")
    per_call=$(( (total - base) / n ))
    awk -v id="$id" -v b="$bytes" -v c="$per_call" \
        'BEGIN { printf "%s\t%d\t%d\t%.2f\n", id, b, c, c / b }'
done
