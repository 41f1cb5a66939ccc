"""`notify serve` and Alertmanager side by side, the same load on the same machine in one run.
Called by scripts/bench-serve; prints Markdown tables.

Each row starts a fresh server, loads it with wrk for SECONDS over CONNECTIONS connections (one
alert per POST or 100 per POST; 1,000 keys repeated, or every alert a new key), and reads the
server's CPU time (utime + stime from /proc, with PostgreSQL's backends added for notify on
PostgreSQL) and its peak RSS (VmHWM). wrk runs for a duration (it cannot stop at a count and
say when), so a row is at least 10,000 alerts at the rates seen here, not exactly 10,000."""
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time

notify, postgres_url = sys.argv[1], sys.argv[2]
seconds = int(sys.argv[3]) if len(sys.argv) > 3 else 5
connections = int(sys.argv[4]) if len(sys.argv) > 4 else 64
work = tempfile.mkdtemp(prefix="notify-bench-serve-")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port, process, seconds=30):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"bench-serve: a server exited at start ({process.args[0]})")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise SystemExit("bench-serve: a server did not start listening")


def cpu_seconds(pids):
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        try:
            fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / ticks
        except (FileNotFoundError, ProcessLookupError):
            pass
    return total


def peak_rss_mib(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def postgres_pids():
    """Every process of the benchmark's PostgreSQL (its backends do notify's SQL)."""
    out = subprocess.run(["pgrep", "-x", "postgres"], capture_output=True, text=True).stdout.split()
    return [int(p) for p in out]


LUA = r"""
local per_post, new_keys, array, template = %(per_post)d, %(new_keys)s, %(array)s, [[%(template)s]]
local counter, thread_id = 0, 0
function setup(thread) thread:set("tid", tostring(thread_counter)); thread_counter = thread_counter + 1 end
function init(args) thread_id = tonumber(wrk.thread:get("tid")) or 0 end
function key()
  counter = counter + 1
  if new_keys then return "t" .. thread_id .. "-" .. counter end
  return "k" .. (counter %% 1000)
end
function request()
  local items = {}
  for i = 1, per_post do items[i] = string.gsub(template, "KEY", key()) end
  local body = items[1]
  if per_post > 1 or array then body = "[" .. table.concat(items, ",") .. "]" end
  return wrk.format("POST", nil, nil, body)
end
function response(status, headers, body)
  if status >= 300 then io.stderr:write("status " .. status .. "\n") end
end
"""

NOTIFY_EVENT = '{"kind":"health_check_failure","environment":"prod","source":"KEY","summary":"KEY failed its health check"}'
AM_ALERT = '{"labels":{"alertname":"HealthCheckFailure","environment":"prod","instance":"KEY"},"annotations":{"summary":"KEY failed its health check"}}'


def run_wrk(url, headers, template, per_post, new_keys):
    # Alertmanager's API takes an array always; notify takes one event as an object.
    array = "true" if template == AM_ALERT else "false"
    script = os.path.join(work, "load.lua")
    with open(script, "w") as fh:
        fh.write("wrk.headers[\"Content-Type\"] = \"application/json\"\n")
        for name, value in headers.items():
            fh.write(f"wrk.headers[\"{name}\"] = \"{value}\"\n")
        fh.write("thread_counter = 0\n")
        fh.write(LUA % {"per_post": per_post, "new_keys": "true" if new_keys else "false", "template": template, "array": array})
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "30s", "-s", script, url],
                         capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"bench-serve: wrk failed: {out.stderr}")
    done = re.search(r"(\d+) requests in ([\d.]+)(m?s)", out.stdout)
    count, elapsed = int(done.group(1)), float(done.group(2)) / (1000 if done.group(3) == "ms" else 1)
    errors = out.stderr.count("status ")
    return count * per_post, count * per_post / elapsed, errors


def alertmanager():
    port = free_port()
    config = os.path.join(work, "alertmanager.yml")
    with open(config, "w") as fh:
        fh.write("route: {receiver: blackhole, group_by: [alertname, instance]}\nreceivers: [{name: blackhole}]\n")
    storage = tempfile.mkdtemp(dir=work)
    process = subprocess.Popen(["prometheus-alertmanager", f"--config.file={config}", f"--storage.path={storage}",
                                f"--web.listen-address=127.0.0.1:{port}", "--cluster.listen-address="],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for_port(port, process)
    return process, f"http://127.0.0.1:{port}/api/v2/alerts", {}, AM_ALERT, []


def notify_serve(state):
    port = free_port()
    config = os.path.join(work, "notify.yaml")
    with open(config, "w") as fh:
        fh.write(f"channels: {{out: {{type: console}}}}\nroutes: [{{notify: [out]}}]\nserver: {{listen: \"127.0.0.1:{port}\", token: bench-token}}\n")
    if state == "sqlite":
        state = os.path.join(tempfile.mkdtemp(dir=work), "state.db")
    elif state == "postgres":
        state = postgres_url + ("&" if "?" in postgres_url else "?") + "schema=s_" + os.urandom(6).hex()
    process = subprocess.Popen([notify, "serve", "--config", config, "--state", state, "--log-level", "error"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for_port(port, process)
    extra = postgres_pids() if state.startswith("postgres") else []
    return process, f"http://127.0.0.1:{port}/v1/events", {"Authorization": "Bearer bench-token"}, NOTIFY_EVENT, extra


servers = [("Alertmanager", alertmanager), ("notify, in memory", lambda: notify_serve(":memory:")),
           ("notify, SQLite", lambda: notify_serve("sqlite")), ("notify, PostgreSQL", lambda: notify_serve("postgres"))]
loads = [(1, False), (1, True), (100, False), (100, True)]
results = {}
for per_post, new_keys in loads:
    for name, start in servers:
        process, url, headers, template, extra = start()
        before = cpu_seconds([process.pid] + extra)
        sent, rate, errors = run_wrk(url, headers, template, per_post, new_keys)
        cpu = cpu_seconds([process.pid] + extra) - before
        rss = peak_rss_mib(process.pid)
        process.terminate()
        process.wait()
        results[(per_post, new_keys, name)] = (rate, cpu * 10_000 / max(sent, 1), rss, errors, sent)

print(f"{seconds} s per row, {connections} connections (wrk, 2 threads), loopback.\n")
print("| load | server | alerts/s | notify / Alertmanager | CPU s per 10,000 alerts | peak RSS | alerts sent |")
print("| --- | --- | --- | --- | --- | --- | --- |")
for per_post, new_keys in loads:
    label = f"{per_post} per POST, {'new keys' if new_keys else '1,000 keys repeated'}"
    am_rate = results[(per_post, new_keys, "Alertmanager")][0]
    for name, _ in servers:
        rate, cpu, rss, errors, sent = results[(per_post, new_keys, name)]
        ratio = "" if name == "Alertmanager" else f"{rate / am_rate:.2f}×"
        failed = f" ({errors} answers ≥ 300)" if errors else ""
        print(f"| {label} | {name} | {rate:,.0f}{failed} | {ratio} | {cpu:.2f} | {rss:.0f} MiB | {sent:,} |")
shutil.rmtree(work, ignore_errors=True)
