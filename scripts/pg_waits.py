"""Samples PostgreSQL's wait events and statements while notify watch runs. Called by scripts/pg-waits."""
import collections
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import uuid

binary, url, new_count, repeat_count = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
work = tempfile.mkdtemp(prefix="notify-pg-waits-")
plain = url.split("?")[0]


def psql(sql):
    return subprocess.run(["psql", plain, "-At", "-c", sql], capture_output=True, text=True, check=True).stdout


psql("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
console = os.path.join(work, "console.yaml")
with open(console, "w") as fh:
    fh.write("channels: {out: {type: console}}\nroutes: [{notify: [out]}]\n")


def stream(path, keys):
    with open(path, "w") as fh:
        for k in keys:
            fh.write(json.dumps({"kind": "health_check_failure", "environment": f"prod-{k % 7}", "source": f"web-{k}",
                                 "summary": f"web-{k} failed 3 consecutive health checks"}) + "\n")


def sample(stop, counts):
    """Every 20 ms, each notify connection's state and wait event: `active` with no wait event
    is PostgreSQL working; `idle in transaction` waits on notify between statements."""
    query = ("SELECT state || ' / ' || coalesce(wait_event_type || ':' || wait_event, 'on CPU') FROM pg_stat_activity "
             "WHERE pid <> pg_backend_pid() AND backend_type = 'client backend' AND state <> 'idle';")
    script = os.path.join(work, "sample.sql")
    with open(script, "w") as fh:
        fh.write(query + "\n\\watch 0.02\n")
    process = subprocess.Popen(["psql", plain, "-At", "-f", script], stdout=subprocess.PIPE, text=True)
    samples = 0
    for line in process.stdout:
        line = line.strip()
        if line:
            counts[line] += 1
            samples += 1
        if stop.is_set():
            break
    process.terminate()


for label, count, keys in [(f"{new_count:,} new alerts", new_count, range(new_count)),
                           (f"{repeat_count:,} repeats of 1,000 keys", repeat_count, [i % 1000 for i in range(repeat_count)])]:
    path = os.path.join(work, "events.ndjson")
    stream(path, keys)
    state = url + ("&" if "?" in url else "?") + "schema=w_" + uuid.uuid4().hex[:12]
    subprocess.run([binary, "status", "--config", console, "--state", state], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    psql("SELECT pg_stat_statements_reset()")
    counts = collections.Counter()
    stop = threading.Event()
    sampler = threading.Thread(target=sample, args=(stop, counts), daemon=True)
    sampler.start()
    start = time.perf_counter()
    with open(path, "rb") as stdin:
        subprocess.run([binary, "watch", "--config", console, "--log-level", "error", "--state", state], stdin=stdin,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    seconds = time.perf_counter() - start
    stop.set()
    sampler.join(timeout=2)
    executed = float(psql("SELECT coalesce(sum(total_exec_time), 0) FROM pg_stat_statements WHERE query NOT ILIKE '%pg_stat%'").strip() or 0) / 1000
    total = sum(counts.values()) or 1
    print(f"\n#### {label}, one `notify watch`: {count / seconds:,.0f} events/s ({seconds:.1f} s)\n")
    print("| a notify connection (not idle): state / wait event | share of samples |")
    print("| --- | --- |")
    for event, n in counts.most_common(8):
        print(f"| `{event}` | {100 * n / total:.0f}% |")
    rows = psql("SELECT calls, round(total_exec_time::numeric, 0), round(mean_exec_time::numeric, 3), "
                "regexp_replace(left(query, 70), '\\s+', ' ', 'g') FROM pg_stat_statements "
                "WHERE query NOT ILIKE '%pg_stat%' ORDER BY total_exec_time DESC LIMIT 10")
    calls = psql("SELECT sum(calls) FROM pg_stat_statements WHERE query NOT ILIKE '%pg_stat%'").strip() or "0"
    print(f"\n{int(calls) / count:.1f} statements per event ({int(calls):,} in all), {executed:.1f} s executing in PostgreSQL "
          f"of the run's {seconds:.1f} s. The ten that took the most time:\n")
    print("| calls | per event | total ms | mean ms | statement |")
    print("| --- | --- | --- | --- | --- |")
    for row in rows.strip().splitlines():
        c, total_ms, mean_ms, query = row.split("|", 3)
        print(f"| {int(c):,} | {int(c) / count:.2f} | {total_ms} | {mean_ms} | `{query.replace('|', '/')}` |")
