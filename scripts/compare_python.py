"""Times the Python reference engine (PyPI `eql`) on one query over an NDJSON file and prints
the number of results (argument 3: events per result) and the median seconds of matching over
argument 4 runs (events are parsed once, before timing), as one JSON line, for
scripts/compare_python.sh."""

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
    runs = int(sys.argv[4]) if len(sys.argv) > 4 else 1
    parsed = eql.parse_query(query, implied_any=True, implied_base=True)
    times = []
    for _ in range(max(runs, 1)):
        engine = eql.PythonEngine({"flatten": True})
        found = []
        engine.add_output_hook(found.append)
        engine.add_query(parsed)
        start = time.perf_counter()
        engine.stream_events(events)
        engine.finalize()
        times.append(time.perf_counter() - start)
    times.sort()
    print(json.dumps({"matches": len(found) // stages, "seconds": times[len(times) // 2]}))


if __name__ == "__main__":
    main()
