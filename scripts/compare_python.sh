#!/bin/sh
# Runs the seed sequence (Potential Reverse Shell) with Python `eql` (in its own virtualenv under
# target/) and with eqlvm over the same generated events; prints the times of matching alone in
# both (each engine's JSON parsing left out), eqlvm's time with decoding, the ratios and both
# match counts (which must agree). Usage: [RUNS=3] scripts/compare_python.sh [EVENTS=200000] [SEED=1]
set -eu
cd "$(dirname "$0")/.."
N=${1:-200000}
SEED=${2:-1}
TARGET=${CARGO_TARGET_DIR:-target}
VENV="$TARGET/pyeql"
[ -x "$VENV/bin/python" ] || { python3 -m venv "$VENV" && "$VENV/bin/pip" install -q eql; }
cargo build --release -q -p eqlvm-cli
EQLVM="$TARGET/release/eqlvm"
EVENTS="$TARGET/compare-$N-$SEED.ndjson"
[ -s "$EVENTS" ] || "$EQLVM" gen --events "$N" --seed "$SEED" --out "$EVENTS"
# eqlvm reads `process.name : (…)` on arrays with "any element" semantics; Python eql needs the
# array-aware spelling (arrayContains, arraySearch), and its cidrMatch takes no IPv6 network, so
# "::1" is left out there (the generator never writes ::1, so the counts are comparable).
VM_QUERY='sequence by host.id with maxspan=5s
  [network where event.type == "start" and host.os.type == "linux" and
     event.action in ("connection_attempted", "connection_accepted") and
     process.name : ("bash", "dash", "sh", "tcsh", "csh", "zsh", "ksh", "fish", "socat") and destination.ip != null and
     not cidrmatch(destination.ip, "127.0.0.0/8", "169.254.0.0/16", "224.0.0.0/4", "::1")] by process.entity_id
  [process where event.type == "start" and host.os.type == "linux" and event.action in ("exec", "fork") and
     process.name in ("bash", "dash", "sh", "tcsh", "csh", "zsh", "ksh", "fish") and (
       (process.args : ("-i", "-l")) or (process.parent.name == "socat" and process.parent.args : "*exec*")
   )] by process.parent.entity_id'
PY_QUERY='sequence by host.id with maxspan=5s
  [network where arrayContains(event.type, "start") and host.os.type == "linux" and
     event.action in ("connection_attempted", "connection_accepted") and
     process.name in ("bash", "dash", "sh", "tcsh", "csh", "zsh", "ksh", "fish", "socat") and destination.ip != null and
     not cidrMatch(destination.ip, "127.0.0.0/8", "169.254.0.0/16", "224.0.0.0/4")] by process.entity_id
  [process where arrayContains(event.type, "start") and host.os.type == "linux" and event.action in ("exec", "fork") and
     process.name in ("bash", "dash", "sh", "tcsh", "csh", "zsh", "ksh", "fish") and (
       arrayContains(process.args, "-i", "-l") or (process.parent.name == "socat" and arraySearch(process.parent.args, a, a == "*exec*"))
   )] by process.parent.entity_id'
RUNS=${RUNS:-3}
# eqlvm: `bench` reads the file into memory and times, as medians of RUNS, (b) decoding plus
# matching and (c) matching alone (events decoded in small batches outside the timer).
VM=$("$EQLVM" bench --runs "$RUNS" --query "$VM_QUERY" "$EVENTS" 2>/dev/null)
VM_FULL=$(echo "$VM" | sed -n 's/^(b) full evaluation.*median of [0-9]*: \([0-9.]*\) s.*/\1/p')
VM_EVAL=$(echo "$VM" | sed -n 's/^(c) evaluation only.*median of [0-9]*: \([0-9.]*\) s.*/\1/p')
VM_MATCHES=$(echo "$VM" | sed -n 's/^matches \([0-9]*\),.*/\1/p')
# Python eql: events parsed and built first (not timed), then matching timed, median of RUNS.
PY=$("$VENV/bin/python" scripts/compare_python.py "$PY_QUERY" "$EVENTS" 2 "$RUNS")
PY_MATCHES=$(echo "$PY" | sed 's/.*"matches": \([0-9]*\).*/\1/')
PY_SECS=$(echo "$PY" | sed 's/.*"seconds": \([0-9.e-]*\).*/\1/')
echo "events: $N (seed $SEED), $EVENTS; medians of $RUNS runs"
echo "python eql matching:          $PY_SECS s  ($PY_MATCHES matches)"
echo "eqlvm matching:               $VM_EVAL s  ($VM_MATCHES matches)"
echo "eqlvm decoding and matching:  $VM_FULL s"
echo "ratio, matching against matching:           $(echo "scale=1; $PY_SECS / $VM_EVAL" | bc)x"
echo "ratio, python matching against eqlvm whole: $(echo "scale=1; $PY_SECS / $VM_FULL" | bc)x"
[ "$VM_MATCHES" = "$PY_MATCHES" ] || { echo "MATCH COUNTS DIFFER"; exit 1; }
