#!/bin/sh
# Measures every speed target of docs/performance.md in one run, one command after the other, so
# the ratios come from the same minutes of a shared machine: `eqlvm bench` on one single-event
# rule, on the whole detection-rules corpus and on the single rule again; the Python comparison
# of the seed sequence; and the criterion benches (predicate VM against hand-written Rust,
# sequence engine, decoder). Usage: [RUNS=3] scripts/speed_report.sh [EVENTS=200000] [SEED=1]
# (the corpus rows need ../shared/corpus/detection-rules beside the project).
set -eu
cd "$(dirname "$0")/.."
N=${1:-200000}
SEED=${2:-1}
RUNS=${RUNS:-3}
TARGET=${CARGO_TARGET_DIR:-target}
export CARGO_TARGET_DIR="$TARGET"
cargo build --release -q -p eqlvm-cli
EQLVM="$TARGET/release/eqlvm"
EVENTS="$TARGET/speed-$N-$SEED.ndjson"
[ -s "$EVENTS" ] || "$EQLVM" gen --events "$N" --seed "$SEED" --out "$EVENTS"
SMALL="$TARGET/speed-40000-$SEED.ndjson"
[ -s "$SMALL" ] || "$EQLVM" gen --events 40000 --seed "$SEED" --out "$SMALL"
RULE2="$TARGET/speed-rule2"
mkdir -p "$RULE2"
cp rules/linux/reverse_shell_activity_via_terminal.yaml "$RULE2/"
CORPUS=../shared/corpus/detection-rules

echo "== $(date -u +%FT%TZ), load: $(cut -d' ' -f1-3 /proc/loadavg), $(git rev-parse --short HEAD)"
echo "== one single-event rule (seed rule 2)"
"$EQLVM" bench --runs "$RUNS" --rules "$RULE2" "$EVENTS"
if [ -d "$CORPUS" ]; then
    echo "== the detection-rules corpus"
    "$EQLVM" bench --runs "$RUNS" --rules "$CORPUS" "$EVENTS"
    echo "== one single-event rule, again"
    "$EQLVM" bench --runs "$RUNS" --rules "$RULE2" "$EVENTS"
fi
echo "== Python eql against eqlvm, seed sequence"
RUNS=$RUNS scripts/compare_python.sh "$N" "$SEED"
echo "== criterion: predicate VM against hand-written Rust"
EQLVM_BENCH_EVENTS="$SMALL" cargo bench -q -p eql-vm --bench predicate 2>/dev/null | grep -E "time:|^predicate"
echo "== criterion: sequence engine"
cargo bench -q -p eql-vm --bench sequence 2>/dev/null | grep -E "time:|^sequence"
echo "== criterion: decoder"
cargo bench -q -p eql-vm --bench decode 2>/dev/null | grep -E "time:|^decode"
echo "== load at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
