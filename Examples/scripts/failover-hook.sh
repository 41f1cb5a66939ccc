#!/usr/bin/env bash
# A failover manager's hook: called with the old and new primary after a database failover.
# It pages through notify; if notify cannot deliver right now (exit 75) it tries again a few
# times, and a permanent failure (exit 69) is logged for a human.
#
#   NOTIFY_CONFIG=Examples/notify.yaml Examples/scripts/failover-hook.sh db-primary-1 db-secondary-2 prod-us-east
set -uo pipefail
old=${1:?old primary} new=${2:?new primary} env=${3:?environment}
notify=${NOTIFY:-notify}

for attempt in 1 2 3; do
  "$notify" send --kind failover --env "$env" --source "$old" \
    --summary "Primary $old failed health checks; promoted $new" \
    --detail "from=$old" --detail "to=$new" \
    --dedup-key "failover/$env/$old"
  status=$?
  case $status in
    0) exit 0 ;;
    75) sleep $((attempt * 5)) ;;              # temporary: try again
    *) echo "failover-hook: notify exited $status" >&2; exit "$status" ;;
  esac
done
exit 75
