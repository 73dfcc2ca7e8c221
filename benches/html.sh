#!/usr/bin/env bash
# The HTML report of a large live cluster, once: benches/workloads.rs's `snapshot-k16` (48
# nodes, 16 copies of microservices-demo and kube-system, no Verification: the spec kbmc
# infers) checked with `--all --format html` under a time limit; the page's size, its
# pictures and cells; and how long headless Chromium takes to load it and run its script
# (`--dump-dom`), beside the same for an empty page (the browser's own start and stop).
# Then the same for the page of src/report/html's unit test `a_large_report_...`: 200
# Deployments on 48 nodes and a 60-step run changing every node at every step (the
# snapshot's counterexamples are one step long). Never asserts; prints a Markdown table for
# docs/performance.md.
# Usage: benches/html.sh [TIME_LIMIT_SECONDS] [KBMC_BINARY]
#   (build first: `cargo build --release`; needs Debian's chromium)
set -euo pipefail
cd "$(dirname "$0")/.."
limit="${1:-60}"
kbmc="${2:-${CARGO_TARGET_DIR:-target}/release/kbmc}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cargo bench --bench workloads -- --write "$work/snapshot" snapshot 16 >/dev/null
ms() { echo $(($(date +%s%N) / 1000000)); }
t0=$(ms)
set +e
"$kbmc" check --all --time-limit "$limit" --format html "$work/snapshot" >"$work/report.html" 2>/dev/null
code=$?
set -e
check_ms=$(($(ms) - t0))

# Milliseconds headless Chromium takes to load page $1, run its script and print its DOM.
browse() {
  local start
  start=$(ms)
  chromium --headless --no-sandbox --disable-gpu --no-first-run --user-data-dir="$work/profile" \
    --dump-dom "file://$1" >"$work/dom" 2>/dev/null
  echo $(($(ms) - start))
}
echo '<!DOCTYPE html><html><body></body></html>' >"$work/empty.html"
browse "$work/empty.html" >/dev/null # the first start makes the profile
empty_ms=$(browse "$work/empty.html")
page_ms=$(browse "$work/report.html")
grep -q 'data-script="ran"' "$work/dom" || echo "warning: the page's script did not run to its end" >&2
KBMC_HTML_LARGE="$work/large.html" cargo test -q --lib report::html::tests::a_large_report >/dev/null 2>&1
large_ms=$(browse "$work/large.html")
grep -q 'data-script="ran"' "$work/dom" || echo "warning: the large page's script did not run to its end" >&2

# One table row for page $1: what it is ($2), exit code ($3), check time ($4), load time ($5).
row() {
  local bytes pictures cells
  bytes=$(stat -c %s "$1")
  pictures=$(grep -o '<figure class="trace"' "$1" | wc -l)
  cells=$(grep -o 'data-col=' "$1" | wc -l)
  echo "| $2 | $3 | $pictures | $cells | $((bytes / 1024)) KiB | $4 | ${empty_ms} ms | $5 ms |"
}
echo "| report | exit | pictures | cells | size | check | Chromium: empty page | Chromium: report |"
echo "|---|---|---|---|---|---|---|---|"
row "$work/report.html" "snapshot k=16, --all --time-limit $limit" "$code" "$((check_ms / 1000)) s" "$page_ms"
row "$work/large.html" "unit test: 200 Deployments, 48 nodes, 60 steps" - - "$large_ms"
