#!/usr/bin/env bash
# Repeatable load run for docs/PERFORMANCE.md: seeds 1,000 clients and 5,000 users into a fresh SQLite data
# directory (or PostgreSQL when DATABASE_URL is set), serves the release build, signs in as the MSP admin and
# runs wrk against the dashboard and the clients page, then, inside the first client, against the compliance
# controls list, a control page and the compliance dashboard. PERF_CLIENTS (1000) sets the clients seeded: 500
# gives the about 100,000 organization controls of the compliance targets.
#   docs/perf.sh                 # SQLite
#   DATABASE_URL=postgres://postgres@127.0.0.1:55432/perf docs/perf.sh
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${PALISADE_BIN:-target/release/palisade}
PORT=${PORT:-18181}
DURATION=${DURATION:-20s}
CONNECTIONS=${CONNECTIONS:-16}
THREADS=${THREADS:-2}
DATA=$(mktemp -d)
export PALISADE_DATA_DIR=$DATA PALISADE_BIND=127.0.0.1:$PORT PALISADE_LOG=warn
trap 'kill ${SERVER:-0} 2>/dev/null || true; rm -rf "$DATA"' EXIT

[ -x "$BIN" ] || cargo build --release
command -v wrk >/dev/null || apt-get install -y wrk >/dev/null

CLIENTS=${PERF_CLIENTS:-1000}
echo "== seeding $CLIENTS clients, 5000 users ($(date -u +%FT%TZ))"
/usr/bin/time -f "seeded in %es" "$BIN" demo --clients "$CLIENTS" --users 5000
"$BIN" serve & SERVER=$!
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done

JAR="$DATA/cookies"
csrf=$(curl -s -c "$JAR" "http://127.0.0.1:$PORT/login" | grep -o 'name="_csrf" value="[^"]*"' | head -1 | cut -d'"' -f4)
curl -s -b "$JAR" -c "$JAR" -o /dev/null --data-urlencode "_csrf=$csrf" --data-urlencode "email=admin@load.test" \
  --data-urlencode "password=palisade-demo-2026" "http://127.0.0.1:$PORT/login"
COOKIE="palisade_session=$(awk '$6 == "palisade_session" {print $7}' "$JAR")"

run_wrk() {
  for path in "$@"; do
    status=$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: $COOKIE" "http://127.0.0.1:$PORT$path")
    [ "$status" = 200 ] || { echo "GET $path answered $status"; exit 1; }
    echo "== wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency $path"
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -H "Cookie: $COOKIE" "http://127.0.0.1:$PORT$path"
  done
}
run_wrk /msp/clients /msp/dashboard

# The compliance program of one client (every load client has one: about 200 controls, evidence, 90 days of
# snapshots): switch the session into the first client, then the controls list, a control page and the dashboard.
client=$(curl -s -H "Cookie: $COOKIE" "http://127.0.0.1:$PORT/msp/clients" | grep -o '/msp/clients/[0-9a-f-]\{36\}' | head -1 | cut -d/ -f4)
page=$(curl -s -b "$JAR" -c "$JAR" "http://127.0.0.1:$PORT/msp/clients")
csrf=$(echo "$page" | grep -o 'name="_csrf" value="[^"]*"' | head -1 | cut -d'"' -f4)
curl -s -b "$JAR" -c "$JAR" -o /dev/null --data-urlencode "_csrf=$csrf" --data-urlencode "org_id=$client" \
  -H "Origin: http://127.0.0.1:$PORT" "http://127.0.0.1:$PORT/switch"
COOKIE="palisade_session=$(awk '$6 == "palisade_session" {print $7}' "$JAR")"
run_wrk /compliance/controls /compliance/controls/CCF-AC-01 /compliance
