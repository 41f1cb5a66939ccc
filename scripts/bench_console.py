"""Times the console's alert list over a state with many open alerts. Called by scripts/bench-console."""
import http.client
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse

binary, alerts, requests = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
work = tempfile.mkdtemp(prefix="notify-bench-console-")
password = "bench-password"
hashed = subprocess.run([binary, "passwd", "alice"], input=password + "\n", capture_output=True, text=True, check=True).stdout.strip()
config = os.path.join(work, "notify.yaml")
with open(config, "w") as fh:
    fh.write(f"""channels: {{out: {{type: console}}}}
contacts:
  alice:
    phone: "+14155550100"
    {hashed}
routes: [{{notify: [out]}}]
server: {{listen: "127.0.0.1:0", token: bench-token}}
""")
state = os.path.join(work, "state.db")
events = os.path.join(work, "events.ndjson")
with open(events, "w") as fh:
    for i in range(alerts):
        fh.write(json.dumps({"kind": "health_check_failure", "environment": f"prod-{i % 7}", "source": f"web-{i}",
                             "summary": f"web-{i} failed 3 consecutive health checks"}) + "\n")
start = time.perf_counter()
with open(events, "rb") as stdin, open(os.devnull, "wb") as devnull:
    subprocess.run([binary, "watch", "--config", config, "--state", state, "--log-level", "error"], stdin=stdin, stdout=devnull, stderr=devnull, check=True)
print(f"state: {alerts:,} open alerts recorded in {time.perf_counter() - start:.1f} s (notify watch, SQLite)", file=sys.stderr)

log = open(os.path.join(work, "serve.err"), "w+")
server = subprocess.Popen([binary, "serve", "--config", config, "--state", state, "--log-level", "info"], stdout=subprocess.DEVNULL, stderr=log)
try:
    port = None
    for _ in range(200):
        log.seek(0)
        found = re.search(r"listening on http://127\.0\.0\.1:(\d+)", log.read())
        if found:
            port = int(found.group(1))
            break
        time.sleep(0.05)
    assert port, "serve did not start"
    connection = http.client.HTTPConnection("127.0.0.1", port)

    def call(method, path, body=None, cookie=""):
        headers = {"Cookie": cookie} if cookie else {}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return response, response.read().decode()

    response, page = call("GET", "/console/login")
    login_cookie = response.getheader("Set-Cookie").split(";")[0]
    token = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    body = urllib.parse.urlencode({"csrf": token, "next": "/console", "name": "alice", "password": password})
    response, _ = call("POST", "/console/login", body, login_cookie)
    session = [value.split(";")[0] for name, value in response.getheaders() if name.lower() == "set-cookie" and value.startswith("notify_session=")][0]

    rows = []
    last = (alerts + 49) // 50
    for label, path in [("first page (50 newest)", "/console"), (f"last page ({last})", f"/console?status=open&page={last}"),
                        ("text filter (q=web-99)", "/console?status=open&q=web-99"), ("one alert with its timeline", "/console/alerts/1")]:
        times = []
        for _ in range(requests):
            start = time.perf_counter()
            response, page = call("GET", path, cookie=session)
            times.append((time.perf_counter() - start) * 1000)
            assert response.status == 200, (response.status, page[:200])
        times.sort()
        rows.append((label, statistics.median(times), times[int(len(times) * 0.95) - 1], max(times)))
    print(f"| console page, {alerts:,} open alerts, SQLite | median | p95 | max |")
    print("|---|---|---|---|")
    for label, median, p95, worst in rows:
        print(f"| {label} | {median:.1f} ms | {p95:.1f} ms | {worst:.1f} ms |")
finally:
    server.terminate()
    server.wait()
