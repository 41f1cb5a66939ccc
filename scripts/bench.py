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


def watch_rate(path, count, runs=3):
    rates = []
    for _ in range(runs):
        with open(path, "rb") as stdin, open(os.devnull, "wb") as devnull:
            start = time.perf_counter()
            subprocess.run([binary, "watch", "--config", console, "--log-level", "error"], stdin=stdin, stdout=devnull, stderr=devnull, check=False)
            rates.append(count / (time.perf_counter() - start))
    return statistics.median(rates)


rows = []
repeated = os.path.join(work, "repeated.ndjson")
stream(repeated, events, 1000)
rows.append((f"notify watch, {events:,} events, 1,000 dedup keys (console channel to /dev/null)", f"{watch_rate(repeated, events):,.0f} events/s"))
unique_count = events // 5
unique = os.path.join(work, "unique.ndjson")
stream(unique, unique_count, unique_count)
rows.append((f"notify watch, {unique_count:,} events, every one a new alert (one console delivery each)", f"{watch_rate(unique, unique_count):,.0f} events/s"))


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


send = median_ms([binary, "send", "--config", slack, "--kind", "failover", "--env", "prod-us-east", "--source", "db-primary-1",
                  "--summary", "Primary failed health checks; promoted db-secondary-2"])
curl = median_ms(["curl", "-sS", "-o", "/dev/null", "-H", "Content-Type: application/json", "--data-binary", "@" + body, url])
rows.append(("one `notify send` to a loopback Slack fake, process start to exit (median of 30)", f"{send:.1f} ms"))
rows.append(("one `curl` POST of the same JSON to the same fake (median of 30)", f"{curl:.1f} ms"))
rows.append(("ratio notify send / curl", f"{send / curl:.2f}x"))
server.shutdown()

print("| measurement | result |")
print("| --- | --- |")
for name, value in rows:
    print(f"| {name} | {value} |")
