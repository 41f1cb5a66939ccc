"""A/B of two notify binaries on the streams of scripts/bench, runs alternated. Called by scripts/bench-ab."""
import json, os, resource, statistics, subprocess, sys, tempfile, time

binaries = {"before": sys.argv[1], "after": sys.argv[2]}
runs = int(sys.argv[3]) if len(sys.argv) > 3 else 7
only = sys.argv[4] if len(sys.argv) > 4 else ""
work = tempfile.mkdtemp(prefix="notify-ab-")


def stream(path, count, distinct):
    with open(path, "w") as fh:
        for i in range(count):
            k = i % distinct
            fh.write(json.dumps({"kind": "health_check_failure", "environment": f"prod-{k % 7}", "source": f"web-{k}",
                                 "summary": f"web-{k} failed 3 consecutive health checks", "details": {"check": "http", "status": 503}}) + "\n")


console = os.path.join(work, "console.yaml")
with open(console, "w") as fh:
    fh.write("channels: {out: {type: console}}\nroutes: [{notify: [out]}]\n")
unique = os.path.join(work, "unique.ndjson")
stream(unique, 20000, 20000)
repeated = os.path.join(work, "repeated.ndjson")
stream(repeated, 200000, 1000)
cases = [("20,000 new alerts, SQLite", unique, 20000, "sqlite"), ("200,000 repeats of 1,000 keys, SQLite", repeated, 200000, "sqlite"),
         ("200,000 repeats of 1,000 keys, in memory", repeated, 200000, ":memory:"), ("20,000 new alerts, in memory", unique, 20000, ":memory:")]
print("| stream | before | after | change |\n| --- | --- | --- | --- |")
n = 0
for label, path, count, state in cases:
    if only and only not in label:
        continue
    wall = {k: [] for k in binaries}
    cpu = {k: [] for k in binaries}
    for r in range(runs):
        for name, binary in (binaries.items() if r % 2 == 0 else reversed(list(binaries.items()))):
            n += 1
            state_path = state if state == ":memory:" else os.path.join(work, f"state-{n}.db")
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            with open(path, "rb") as stdin, open(os.devnull, "wb") as devnull:
                start = time.perf_counter()
                subprocess.run([binary, "watch", "--config", console, "--log-level", "error", "--state", state_path], stdin=stdin, stdout=devnull, stderr=devnull)
                wall[name].append(time.perf_counter() - start)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu[name].append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    bw, aw = statistics.median(wall["before"]), statistics.median(wall["after"])
    bc, ac = statistics.median(cpu["before"]), statistics.median(cpu["after"])
    print(f"| {label} | {bw:.2f} s ({count / bw:,.0f}/s), CPU {bc:.2f} s | {aw:.2f} s ({count / aw:,.0f}/s), CPU {ac:.2f} s "
          f"| wall {100 * (aw - bw) / bw:+.1f}%, CPU {100 * (ac - bc) / bc:+.1f}% |", flush=True)
