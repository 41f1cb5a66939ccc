"""Delivery under a slow destination, for one or more notify binaries. Called by scripts/bench-delivery.

1. A hung webhook beside a healthy Slack (separate hosts, then one shared host): when the 64
   Slack pages arrive, counted from the start of `notify watch` (median and last), next to Slack
   alone.
2. 300 alerts paging one person by SMS through a gateway that fails 30% of requests (500, 503,
   429 with Retry-After: 1, an answer after the 1 s timeout), beside a webhook: when the last SMS
   went, how many SMS requests, how long the run took.
"""
import json, os, random, statistics, subprocess, sys, tempfile, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

binaries = sys.argv[1:]
work = tempfile.mkdtemp(prefix="notify-delivery-")


class Fake:
    """A loopback provider: records arrival times per path; `answer(path, n)` gives (status, body, headers, delay)."""

    def __init__(self, answer):
        self.arrivals, self.lock, self.count = [], threading.Lock(), 0
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                body = self.rfile.read(length)
                with fake.lock:
                    n = fake.count
                    fake.count += 1
                    fake.arrivals.append((self.path, time.perf_counter(), body))
                status, text, headers, delay = answer(self.path, n)
                if delay:
                    time.sleep(delay)
                try:
                    self.send_response(status)
                    for k, v in headers.items():
                        self.send_header(k, v)
                    self.send_header("Content-Length", str(len(text)))
                    self.end_headers()
                    self.wfile.write(text.encode())
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, *args):
                pass

            def handle(self):
                try:
                    super().handle()
                except ConnectionResetError:
                    pass  # notify gave up on a hung request: expected

        # A listen backlog for every connection a storm opens at once (the default, 5, drops
        # connects and measures the fake, not notify).
        ThreadingHTTPServer.request_queue_size = 256
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def close(self):
        self.server.shutdown()


def write(name, text):
    path = os.path.join(work, name)
    with open(path, "w") as fh:
        fh.write(text)
    return path


def failovers(count):
    return "".join(json.dumps({"kind": "failover", "source": f"db-{i}", "summary": f"db-{i} failed over"}) + "\n" for i in range(count))


def run(binary, config, stream, state=":memory:", pace=0.0):
    """`notify watch` on `stream`, a line every `pace` seconds (0: all at once)."""
    start = time.perf_counter()
    process = subprocess.Popen([binary, "watch", "--config", config, "--log-level", "error", "--state", state], stdin=subprocess.PIPE,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for line in stream.splitlines(keepends=True) if pace else [stream]:
        process.stdin.write(line.encode())
        process.stdin.flush()
        if pace:
            time.sleep(pace)
    process.stdin.close()
    process.wait()
    return start, time.perf_counter() - start


def hanging(binary, shared):
    ok = lambda path, n: (200, "ok", {}, 60 if path == "/hung" else 0)
    slack = Fake(ok)
    hung = slack if shared else Fake(ok)
    rows = {}
    for label, with_hung in (("alone", False), ("beside", True)):
        channels = f'  slack: {{type: slack, webhook_url: "{slack.url}/slack"}}\n'
        if with_hung:
            channels += f'  hung: {{type: webhook, url: "{hung.url}/hung"}}\n'
        config = write("hang.yaml", "delivery: {timeout: 1s, max_attempts: 1, max_concurrent: 16}\nchannels:\n" + channels
                       + f"routes: [{{notify: [{'hung, slack' if with_hung else 'slack'}]}}]\n")
        before = len(slack.arrivals)
        start, _ = run(binary, config, failovers(64))
        times = sorted(t - start for p, t, _ in slack.arrivals[before:] if p == "/slack")
        rows[label] = (statistics.median(times), times[-1], len(times))
    slack.close()
    if not shared:
        hung.close()
    return rows


def sms_storm(binary, pace):
    faults = [(500, "oops", {}, 0), (503, "busy", {}, 0), (429, "slow down", {"Retry-After": "1"}, 0), (200, '{"id":"late"}', {}, 3)]

    def answer(path, n):
        rng = random.Random(n)
        if path == "/sms" and rng.random() < 0.3:
            return faults[rng.randrange(4)]
        return (200, '{"id":"sms-%d"}' % n, {}, 0)

    gateway, hook = Fake(answer), Fake(lambda p, n: (200, "ok", {}, 0))
    config = write("sms.yaml", f"""delivery: {{timeout: 1s, max_attempts: 4, initial_backoff: 100ms, max_backoff: 1s, max_concurrent: 16}}
channels:
  sms: {{type: http_sms, url: "{gateway.url}/sms", body: {{form: {{to: "{{{{to_digits}}}}", text: "{{{{text}}}}"}}}}, throttle: {{limit: 1000, window: 1m}}}}
  hook: {{type: webhook, url: "{hook.url}/hook"}}
contacts:
  alice: {{phone: "+14155550100"}}
routes: [{{notify: [hook, {{channel: sms, to: [alice]}}]}}]
""")
    start, took = run(binary, config, failovers(300), state=os.path.join(work, f"sms-{time.time()}.db"), pace=pace)
    sms = [t - start for p, t, _ in gateway.arrivals if p == "/sms"]
    hooks = [t - start for p, t, _ in hook.arrivals]
    gateway.close()
    hook.close()
    return took, len(sms), max(sms) if sms else 0, max(hooks) if hooks else 0


print("| binary | scenario | Slack median | Slack last | pages |\n| --- | --- | --- | --- | --- |")
for binary in binaries:
    for shared in (False, True):
        rows = hanging(binary, shared)
        for label, (median, last, count) in rows.items():
            print(f"| {os.path.basename(binary)} | hung webhook {'on the same host' if shared else 'on its own host'}: Slack {label} | "
                  f"{median:.2f} s | {last:.2f} s | {count} |", flush=True)
print("\n| binary | 300 alerts to alice by SMS, 30% faults | run took | SMS requests | last SMS request | last webhook |\n| --- | --- | --- | --- | --- | --- |")
for pace, label in ((0.0, "all at once"), (0.01, "one every 10 ms")):
    for binary in binaries:
        took, requests, last_sms, last_hook = sms_storm(binary, pace)
        print(f"| {os.path.basename(binary)} | {label} | {took:.1f} s | {requests} | {last_sms:.1f} s | {last_hook:.1f} s |", flush=True)
