#!/bin/sh
# Runs the seed sequence (Potential Reverse Shell) with Python `eql` (in its own virtualenv under
# target/) and with `eqlvm query` over the same generated events; prints both times, the ratio
# and both match counts. Usage: scripts/compare_python.sh [EVENTS=200000] [SEED=1]
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
start=$(date +%s.%N)
VM_MATCHES=$("$EQLVM" query "$VM_QUERY" "$EVENTS" | wc -l)
end=$(date +%s.%N)
VM_SECS=$(echo "$end - $start" | bc)
PY=$("$VENV/bin/python" scripts/compare_python.py "$PY_QUERY" "$EVENTS" 2)
PY_MATCHES=$(echo "$PY" | sed 's/.*"matches": \([0-9]*\).*/\1/')
PY_SECS=$(echo "$PY" | sed 's/.*"seconds": \([0-9.e-]*\).*/\1/')
echo "events: $N (seed $SEED), $EVENTS"
echo "eqlvm:     $VM_MATCHES matches in $VM_SECS s (whole process: read, decode, match, print)"
echo "python eql: $PY_MATCHES matches in $PY_SECS s (matching only; JSON parsing excluded)"
echo "ratio: $(echo "scale=1; $PY_SECS / $VM_SECS" | bc)x"
[ "$VM_MATCHES" = "$PY_MATCHES" ] || { echo "MATCH COUNTS DIFFER"; exit 1; }
