"""Measures notify on PostgreSQL with one and two instances. Called by scripts/bench-postgres;
prints a Markdown table."""
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid

binary, url, events = sys.argv[1], sys.argv[2], int(sys.argv[3])
work = tempfile.mkdtemp(prefix="notify-bench-pg-")


def write(name, text):
    path = os.path.join(work, name)
    with open(path, "w") as fh:
        fh.write(text)
    return path


def fresh_state():
    """The database URL with a schema of its own: every measurement starts empty."""
    return url + ("&" if "?" in url else "?") + "schema=b_" + uuid.uuid4().hex[:12]


def stream(path, keys):
    with open(path, "w") as fh:
        for k in keys:
            fh.write(json.dumps({
                "kind": "health_check_failure", "environment": f"prod-{k % 7}", "source": f"web-{k}",
                "summary": f"web-{k} failed 3 consecutive health checks", "details": {"check": "http", "status": 503},
            }) + "\n")


console = write("console.yaml", "channels: {out: {type: console}}\nroutes: [{notify: [out]}]\n")


def watch_rate(streams, count, runs=3):
    """Median events/s of `notify watch` processes, one per stream, running at once on one
    fresh database schema; `count` events in all."""
    rates = []
    for _ in range(runs):
        state = fresh_state()
        # The first process creates the schema; the timed runs find it ready.
        subprocess.run([binary, "status", "--config", console, "--state", state], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        start = time.perf_counter()
        processes = [subprocess.Popen([binary, "watch", "--config", console, "--log-level", "error", "--state", state],
                                      stdin=open(path, "rb"), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for path in streams]
        for process in processes:
            process.wait()
        rates.append(count / (time.perf_counter() - start))
    return statistics.median(rates)


rows = []
# NOTIFY_BENCH_ONLY=lag measures the step lag alone.
only_lag = os.environ.get("NOTIFY_BENCH_ONLY") == "lag"
repeated = [i % 1000 for i in range(events)]
new = list(range(events // 5))
one_repeated, one_new = os.path.join(work, "repeated.ndjson"), os.path.join(work, "new.ndjson")
if not only_lag:
    stream(one_repeated, repeated)
    stream(one_new, new)
# Two instances: each half of the repeated stream (the same 1,000 keys on both, as an
# Alertmanager pair sends every alert to each), and disjoint halves of the new alerts.
halves_repeated = [os.path.join(work, f"repeated-{h}.ndjson") for h in (0, 1)]
halves_new = [os.path.join(work, f"new-{h}.ndjson") for h in (0, 1)]
for h in (0, 1) if not only_lag else ():
    stream(halves_repeated[h], repeated[h::2])
    stream(halves_new[h], new[h::2])
for label, streams in [("one instance", [one_repeated]), ("two instances at once", halves_repeated)] if not only_lag else []:
    rows.append((f"notify watch, {events:,} events, 1,000 dedup keys, PostgreSQL, {label}", f"{watch_rate(streams, events):,.0f} events/s"))
for label, streams in [("one instance", [one_new]), ("two instances at once", halves_new)] if not only_lag else []:
    rows.append((f"notify watch, {len(new):,} events, every one a new alert and a console delivery, PostgreSQL, {label}", f"{watch_rate(streams, len(new)):,.0f} events/s"))


# Step lag: alerts whose second step (a webhook) falls due 10 s after they open, and daemons
# that run it; the lag is when the fake received each page minus when its step was due.
arrivals = {}
copies = {}
arrivals_lock = threading.Lock()


class Pager(asyncio.Protocol):
    """A webhook receiver on asyncio, HTTP/1.1 with keep-alive: it takes several thousand pages a
    second on this machine (Python's http.server takes about 1,800, with a connection each, and
    was the bottleneck of a 1,000-page burst, not notify)."""

    def connection_made(self, transport):
        self.transport, self.buffer = transport, b""

    def data_received(self, data):
        self.buffer += data
        while True:
            head_end = self.buffer.find(b"\r\n\r\n")
            if head_end < 0:
                return
            head = self.buffer[:head_end].decode("latin-1")
            length = 0
            for line in head.split("\r\n")[1:]:
                name, _, value = line.partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value.strip())
            if len(self.buffer) < head_end + 4 + length:
                return
            body = self.buffer[head_end + 4:head_end + 4 + length]
            self.buffer = self.buffer[head_end + 4 + length:]
            now = time.time()
            source = json.loads(body)["alert"]["source"]
            with arrivals_lock:
                arrivals.setdefault(source, now)
                copies[source] = copies.get(source, 0) + 1
            self.transport.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")


loop = asyncio.new_event_loop()
server = loop.run_until_complete(loop.create_server(Pager, "127.0.0.1", 0))
server_port = server.sockets[0].getsockname()[1]
threading.Thread(target=loop.run_forever, daemon=True).start()
stepped = write("stepped.yaml", f"""
channels:
  out: {{type: console}}
  pager: {{type: webhook, url: "http://127.0.0.1:{server_port}/page"}}
policies:
  page:
    steps:
      - after: 0s
        notify: [out]
      - after: 10s
        notify: [pager]
routes: [{{policy: page}}]
""")


def step_lag(daemons, count=1000, every=0.0):
    """Alerts opened `every` seconds apart (all at once with 0); their second steps fall due
    10 s later while `daemons` daemons run."""
    arrivals.clear()
    copies.clear()
    state = fresh_state()
    running = [subprocess.Popen([binary, "daemon", "--config", stepped, "--log-level", "error", "--state", state],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for _ in range(daemons)]
    started = time.perf_counter()
    watch = subprocess.Popen([binary, "watch", "--config", stepped, "--log-level", "error", "--state", state], stdin=subprocess.PIPE,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for k in range(count):
        watch.stdin.write((json.dumps({"kind": "health_check_failure", "environment": "prod", "source": f"web-{k}",
                                       "summary": f"web-{k} failed its checks"}) + "\n").encode())
        if every:
            watch.stdin.flush()
            time.sleep(every)
    watch.stdin.close()
    watch.wait()
    taken_in = count / (time.perf_counter() - started)
    deadline = time.time() + 90
    while time.time() < deadline and len(arrivals) < count:
        time.sleep(0.2)
    for process in running:
        process.terminate()
        process.wait()
    first_seen, fired = {}, {}
    schema = state.split('schema=')[1]
    query = subprocess.run(["psql", url.split("?")[0], "-Atc", f"SELECT a.source, a.first_seen, o.created_at FROM {schema}.alerts a "
                            f"LEFT JOIN {schema}.outbox o ON o.alert_id = a.id AND o.channel = 'pager'"],
                           capture_output=True, text=True, check=True).stdout
    for line in query.splitlines():
        source, seen, queued = line.split("|")
        first_seen[source] = float(seen)
        if queued:
            fired[source] = float(queued)
    lags = sorted(arrivals[s] - (first_seen[s] + 10) for s in arrivals if s in first_seen)
    fire_lags = sorted(fired[s] - (first_seen[s] + 10) for s in fired)
    missing = count - len(lags)
    twice = sum(n - 1 for n in copies.values())
    if not lags:
        return float("nan"), float("nan"), missing, float("nan"), taken_in, twice
    p50 = lags[len(lags) // 2] * 1000
    p99 = lags[min(len(lags) - 1, int(len(lags) * 0.99))] * 1000
    fire_p99 = fire_lags[min(len(fire_lags) - 1, int(len(fire_lags) * 0.99))] * 1000 if fire_lags else float("nan")
    return p50, p99, missing, fire_p99, taken_in, twice


for daemons, label in [(1, "one `notify daemon`"), (2, "two `notify daemon`s")]:
    p50, p99, missing, fire_p99, _, _ = step_lag(daemons, count=200, every=0.05)
    rows.append((f"step lag, a second step due every 50 ms for 10 s, {label}: p50 / p99 (p99 fired)" + (f" ({missing} never arrived)" if missing else ""),
                 f"{p50:,.0f} ms / {p99:,.0f} ms ({fire_p99:,.0f} ms)"))
for daemons, label in [(1, "one `notify daemon`"), (2, "two `notify daemon`s")]:
    p50, p99, missing, fire_p99, taken_in, twice = step_lag(daemons)
    rows.append((f"step lag, 1,000 second steps due at once, {label}: p50 / p99 (p99 fired)" + (f" ({missing} never arrived)" if missing else ""),
                 f"{p50:,.0f} ms / {p99:,.0f} ms ({fire_p99:,.0f} ms)"))
    rows.append((f"the same 1,000 new alerts (two-step policy) taken in by `notify watch` while {label} run; second-step pages sent twice",
                 f"{taken_in:,.0f} alerts/s; {twice} twice"))
loop.call_soon_threadsafe(loop.stop)

print("| measurement | result |")
print("| --- | --- |")
for name, value in rows:
    print(f"| {name} | {value} |")
