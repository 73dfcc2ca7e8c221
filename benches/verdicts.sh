#!/usr/bin/env bash
# Time to a verdict, as a user waits for it: `kbmc check` (the default engine and options) on
# every bundled case, one run at a time, with the verdict line and exit code. Build first:
# `cargo build --release`. Usage: benches/verdicts.sh [KBMC_BINARY]
set -uo pipefail
cd "$(dirname "$0")/.."
kbmc="${1:-${CARGO_TARGET_DIR:-target}/release/kbmc}"
printf '| case | time | exit | summary |\n|---|---|---|---|\n'
for dir in cases/*/; do
  case_name="$(basename "$dir")"
  start=$(date +%s.%N)
  out="$("$kbmc" check --no-color "$dir" 2>/dev/null)"
  code=$?
  end=$(date +%s.%N)
  summary="$(printf '%s\n' "$out" | grep -E 'intent\(s\):' | sed -E 's/ \([0-9.]+ s\)$//')"
  printf '| %s | %.2f s | %d | %s |\n' "$case_name" "$(echo "$end - $start" | bc)" "$code" "$summary"
done
