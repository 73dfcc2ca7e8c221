#!/usr/bin/env bash
# Time to a verdict, as a user waits for it: `kbmc check` (the default engine and options) on
# every bundled case, one run at a time, with the verdict line and exit code; then the same
# check by the symbolic engine alone (`--explicit-states 0`, cut at 20 s), its time and exit
# code. Build first: `cargo build --release`. Usage: benches/verdicts.sh [KBMC_BINARY]
set -uo pipefail
cd "$(dirname "$0")/.."
kbmc="${1:-${CARGO_TARGET_DIR:-target}/release/kbmc}"
# Seconds since the epoch, to the nanosecond.
now() { date +%s.%N; }
printf '| case | time | exit | summary | symbolic alone | exit |\n|---|---|---|---|---|---|\n'
for dir in cases/*/; do
  case_name="$(basename "$dir")"
  start=$(now)
  out="$("$kbmc" check --no-color "$dir" 2>/dev/null)"
  code=$?
  end=$(now)
  summary="$(printf '%s\n' "$out" | grep -E 'intent\(s\):' | sed -E 's/ \([0-9.]+ s\)$//')"
  sym_start=$(now)
  "$kbmc" check --no-color --explicit-states 0 --time-limit 20 "$dir" >/dev/null 2>&1
  sym_code=$?
  sym_end=$(now)
  printf '| %s | %.2f s | %d | %s | %.2f s | %d |\n' "$case_name" "$(echo "$end - $start" | bc)" "$code" "$summary" \
    "$(echo "$sym_end - $sym_start" | bc)" "$sym_code"
done
