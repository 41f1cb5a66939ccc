"""Measures notify's throughput and latency. Called by scripts/bench; prints a Markdown table."""
import http.server
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time

binary, events = sys.argv[1], int(sys.argv[2])
work = tempfile.mkdtemp(prefix="notify-bench-")


def write(name, text):
    path = os.path.join(work, name)
    with open(path, "w") as fh:
        fh.write(text)
    return path


def stream(path, count, distinct):
    with open(path, "w") as fh:
        for i in range(count):
            k = i % distinct
            fh.write(json.dumps({
                "kind": "health_check_failure", "environment": f"prod-{k % 7}", "source": f"web-{k}",
                "summary": f"web-{k} failed 3 consecutive health checks", "details": {"check": "http", "status": 503},
            }) + "\n")


console = write("console.yaml", "channels: {out: {type: console}}\nroutes: [{notify: [out]}]\n")


def watch_rate(path, count, state, runs=3):
    """Median events/s of `notify watch` over `runs` runs, each on a fresh state file."""
    rates = []
    for run in range(runs):
        state_path = state if state == ":memory:" else os.path.join(work, f"state-{os.path.basename(path)}-{run}.db")
        with open(path, "rb") as stdin, open(os.devnull, "wb") as devnull:
            start = time.perf_counter()
            subprocess.run([binary, "watch", "--config", console, "--log-level", "error", "--state", state_path], stdin=stdin, stdout=devnull, stderr=devnull, check=False)
            rates.append(count / (time.perf_counter() - start))
    return statistics.median(rates)


rows = []
repeated = os.path.join(work, "repeated.ndjson")
stream(repeated, events, 1000)
unique_count = events // 5
unique = os.path.join(work, "unique.ndjson")
stream(unique, unique_count, unique_count)
for state, label in [(":memory:", "in memory (--state :memory:)"), ("sqlite", "SQLite state file (the default)")]:
    rows.append((f"notify watch, {events:,} events, 1,000 dedup keys, {label}", f"{watch_rate(repeated, events, state):,.0f} events/s"))
    rows.append((f"notify watch, {unique_count:,} events, every one a new alert and a console delivery, {label}", f"{watch_rate(unique, unique_count, state):,.0f} events/s"))


class Slack(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Slack)
threading.Thread(target=server.serve_forever, daemon=True).start()
url = f"http://127.0.0.1:{server.server_port}/services/T0/B0/bench"
slack = write("slack.yaml", f"channels: {{ops: {{type: slack, webhook_url: \"{url}\"}}}}\nroutes: [{{notify: [ops]}}]\n")
body = write("body.json", json.dumps({"text": "[CRITICAL] Failover in prod-us-east: Primary failed health checks; promoted db-secondary-2"}))


def median_ms(command, runs=30):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


# A fresh state file per run, so every send opens an alert and pages (no dedup).
counter = iter(range(1_000_000))
def send_command():
    return [binary, "send", "--config", slack, "--state", os.path.join(work, f"send-{next(counter)}.db"), "--kind", "failover",
            "--env", "prod-us-east", "--source", "db-primary-1", "--summary", "Primary failed health checks; promoted db-secondary-2"]


def median_ms_fresh(make_command, runs=30):
    times = []
    for _ in range(runs):
        command = make_command()
        start = time.perf_counter()
        subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


# The common case: the host's state file exists; a new dedup key per run, so every send opens
# an alert and pages.
existing = os.path.join(work, "send-existing.db")
def send_existing_command():
    return [binary, "send", "--config", slack, "--state", existing, "--kind", "failover", "--env", "prod-us-east",
            "--source", f"db-primary-{next(counter)}", "--summary", "Primary failed health checks; promoted db-secondary-2"]
subprocess.run(send_existing_command(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)  # creates the file


send = median_ms_fresh(send_command)
send_existing = median_ms_fresh(send_existing_command)
curl = median_ms(["curl", "-sS", "-o", "/dev/null", "-H", "Content-Type: application/json", "--data-binary", "@" + body, url])
rows.append(("one `notify send` to a loopback Slack fake, new SQLite state file, process start to exit (median of 30)", f"{send:.1f} ms"))
rows.append(("one `notify send`, existing state file, a new alert each time (median of 30)", f"{send_existing:.1f} ms"))
rows.append(("one `curl` POST of the same JSON to the same fake (median of 30)", f"{curl:.1f} ms"))
rows.append(("ratio notify send / curl", f"{send / curl:.2f}x"))
rows.append(("ratio notify send (existing state file) / curl", f"{send_existing / curl:.2f}x"))
server.shutdown()

print("| measurement | result |")
print("| --- | --- |")
for name, value in rows:
    print(f"| {name} | {value} |")
