"""Times the Python reference engine (PyPI `eql`) on one query over an NDJSON file and prints
the number of results (argument 3: events per result) and the seconds taken, as one JSON line, for scripts/compare_python.sh."""

import json
import sys
import time
from datetime import datetime

import eql


def main():
    query, path = sys.argv[1], sys.argv[2]
    # The engine hands out a sequence's events one by one: results = events / stages.
    stages = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    events = []
    with open(path) as f:
        for line in f:
            if not line.strip():
                continue
            data = json.loads(line)
            # ECS: the category array names the event type; time in the engine's 100 ns ticks.
            stamp = datetime.fromisoformat(data["@timestamp"].replace("Z", "+00:00"))
            ticks = int(stamp.timestamp() * 1000) * 10_000
            events.append(eql.Event(data["event"]["category"][0], ticks, data))
    parsed = eql.parse_query(query, implied_any=True, implied_base=True)
    engine = eql.PythonEngine({"flatten": True})
    found = []
    engine.add_output_hook(found.append)
    engine.add_query(parsed)
    start = time.perf_counter()
    engine.stream_events(events)
    engine.finalize()
    secs = time.perf_counter() - start
    print(json.dumps({"matches": len(found) // stages, "seconds": secs}))


if __name__ == "__main__":
    main()
