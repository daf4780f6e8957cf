#!/usr/bin/env bash
# Starts `cmr up` on free ports with a throw-away data directory, runs the independent
# Python gRPC probe against all four services, then stops the suite with SIGTERM and
# checks that it exits cleanly. Usage: tests/probe/probe_up.sh PATH/TO/cmr
set -euo pipefail
cmr=${1:?path to the cmr binary}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'kill -TERM "${pid:-0}" 2>/dev/null || true; rm -rf "$work"' EXIT

"$cmr" up --data-dir "$work/data" \
  --ingest-listen 127.0.0.1:0 --eligibility-listen 127.0.0.1:0 \
  --verification-listen 127.0.0.1:0 --filing-listen 127.0.0.1:0 \
  2> "$work/up.log" &
pid=$!
for _ in $(seq 1 100); do
  [ "$(grep -c ' listening on ' "$work/up.log" || true)" -ge 4 ] && break
  kill -0 "$pid" 2>/dev/null || { cat "$work/up.log" >&2; exit 1; }
  sleep 0.1
done
pairs=$(grep ' listening on ' "$work/up.log" | sed -E 's/^cmr: ([^ ]+) listening on (.*)$/\1=\2/')
[ "$(echo "$pairs" | wc -l)" -eq 4 ] || { cat "$work/up.log" >&2; exit 1; }
# shellcheck disable=SC2086
python3 "$here/grpc_probe.py" $pairs
kill -TERM "$pid"
wait "$pid"
echo "cmr up stopped cleanly"
