#!/usr/bin/env bash
# Plays a health-check daemon: writes NDJSON events, one per line, as `notify watch` reads them.
# web-2 fails its checks three times (one alert, count 3), then recovers (resolve); one line is
# malformed on purpose, to show that notify names it and goes on.
#
#   Examples/scripts/healthd-sim.sh | swift run notify watch --config Examples/notify.yaml
emit() { printf '%s\n' "$1"; sleep "${DELAY:-0.2}"; }
for i in 1 2 3; do
  emit '{"kind":"health_check_failure","environment":"prod-us-east","source":"web-2","summary":"web-2 failed '"$i"' health checks in a row","details":{"check":"GET /healthz","status":503}}'
done
emit '{"kind":"health_check_failure","severity":"urgent","summary":"this line is wrong on purpose"}'
emit '{"event_action":"trigger","dedup_key":"lb-eu/5xx","payload":{"summary":"Load balancer lb-eu: 5xx rate 12%","source":"lb-eu","severity":"error","group":"prod-eu"}}'
emit '{"kind":"health_check_failure","action":"resolve","environment":"prod-us-east","source":"web-2"}'
