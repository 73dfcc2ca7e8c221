#!/usr/bin/env bash
# Every bundled case's JSON report under the five modes a refactoring must leave unchanged
# (default, `--engine explicit`, `--reduction por`, `--prove`, `--engine symbolic --steps 8`),
# with the seconds taken out, one file per case and mode, plus the exit code. Run it before and
# after a change and compare the two folders: `diff -r BEFORE AFTER` shows what moved.
# Usage: benches/outputs.sh OUT_DIR [KBMC_BINARY]   (build first: `cargo build --release`)
set -uo pipefail
cd "$(dirname "$0")/.."
out="${1:?usage: benches/outputs.sh OUT_DIR [KBMC_BINARY]}"
kbmc="${2:-${CARGO_TARGET_DIR:-target}/release/kbmc}"
mkdir -p "$out"
modes=("default:" "explicit:--engine explicit" "por:--reduction por" "prove:--prove"
  "symbolic8:--engine symbolic --steps 8")
for dir in cases/*/; do
  name="$(basename "$dir")"
  for mode in "${modes[@]}"; do
    tag="${mode%%:*}"
    # shellcheck disable=SC2086 # the mode's flags are words
    json="$("$kbmc" check --format json ${mode#*:} "$dir" 2>/dev/null)"
    code=$?
    # Seconds differ from run to run; everything else is the report.
    printf '%s\n' "$json" | python3 -c '
import json, sys
def strip(v):
    if isinstance(v, dict):
        return {k: strip(x) for k, x in v.items() if "second" not in k}
    if isinstance(v, list):
        return [strip(x) for x in v]
    return v
text = sys.stdin.read()
try:
    print(json.dumps(strip(json.loads(text)), indent=1, sort_keys=True))
except ValueError:
    print(text)
' >"$out/$name.$tag.json"
    echo "exit $code" >>"$out/$name.$tag.json"
  done
done
echo "wrote $(ls "$out" | wc -l) reports to $out"
