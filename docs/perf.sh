#!/usr/bin/env bash
# Repeatable load run for docs/PERFORMANCE.md: seeds 1,000 clients and 5,000 users into a fresh SQLite data
# directory (or PostgreSQL when DATABASE_URL is set), serves the release build, signs in as the MSP admin and
# runs wrk against the dashboard and the clients page (PATHS), inside a client when CLIENT names one.
#   docs/perf.sh                 # SQLite
#   DATABASE_URL=postgres://postgres@127.0.0.1:55432/perf docs/perf.sh
# The service desk's run (docs/PERFORMANCE.md, "Service desk"):
#   SEED="--clients 1000 --users 5000 --tickets 100000" CLIENT="Client 00001" \
#     PATHS="/tickets /msp/tickets /tickets/1" docs/perf.sh
# Sign-ins beside the load (issue 14): SIGN_INS=20 PATHS=/msp/clients docs/perf.sh
# The compliance program's run (every load client has a program; 500 clients give about 100,000 controls):
#   SEED="--clients 500 --users 5000" CLIENT="Client 00001" \
#     PATHS="/compliance/controls /compliance/controls/CCF-AC-01 /compliance" docs/perf.sh
# Time and billing (10,000 entries this month for Client 00000, 2,400 past invoices; the invoice is generated first):
#   SEED="--clients 1000 --users 5000 --time-entries 10000" INVOICE_FOR="Client 00000" \
#     PATHS="/time /billing/invoices" docs/perf.sh
# The client portal as an end user (PORTAL_USER signs in on that portal; a client's first portal user sees the
# company's tickets):
#   SEED="--clients 100 --users 500 --tickets 20000 --articles 5000 --portal-users 100" PORTAL_USER=portal1@load.test \
#     PATHS="/portal/client-00001/tickets /portal/client-00001/kb" docs/perf.sh
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${PALISADE_BIN:-target/release/palisade}
PORT=${PORT:-18181}
DURATION=${DURATION:-20s}
WARMUP=${WARMUP:-3s}
CONNECTIONS=${CONNECTIONS:-16}
THREADS=${THREADS:-2}
SEED=${SEED:---clients 1000 --users 5000}
PATHS=${PATHS:-/msp/clients /msp/dashboard}
# A client to work in (by name) before the run, for pages of one organization.
CLIENT=${CLIENT:-}
# PERF_DATA keeps the data directory (and the seeded database) for further runs: a directory seeded once is
# reused as it is (with PostgreSQL, the database named in DATABASE_URL must be the one seeded with it).
if [ -n "${PERF_DATA:-}" ]; then
  DATA=$PERF_DATA; mkdir -p "$DATA"
  trap 'kill ${SERVER:-0} 2>/dev/null || true' EXIT
else
  DATA=$(mktemp -d)
  trap 'kill ${SERVER:-0} 2>/dev/null || true; rm -rf "$DATA"' EXIT
fi
export PALISADE_DATA_DIR=$DATA PALISADE_BIND=127.0.0.1:$PORT PALISADE_LOG=warn

[ -x "$BIN" ] || cargo build --release
command -v wrk >/dev/null || apt-get install -y wrk >/dev/null

if [ ! -f "$DATA/.perf-seeded" ]; then
  echo "== seeding: palisade demo $SEED ($(date -u +%FT%TZ))"
  # shellcheck disable=SC2086
  /usr/bin/time -f "seeded in %es" "$BIN" demo $SEED
  echo "$SEED" > "$DATA/.perf-seeded"
fi
if curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null; then
  echo "something already serves port $PORT: stop it first (the figures would be that server's)" >&2
  exit 1
fi
"$BIN" serve & SERVER=$!
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done

JAR="$DATA/cookies"
csrf=$(curl -s -c "$JAR" "http://127.0.0.1:$PORT/login" | grep -o 'name="_csrf" value="[^"]*"' | head -1 | cut -d'"' -f4)
curl -s -b "$JAR" -c "$JAR" -o /dev/null --data-urlencode "_csrf=$csrf" --data-urlencode "email=admin@load.test" \
  --data-urlencode "password=palisade-demo-2026" "http://127.0.0.1:$PORT/login"
COOKIE="palisade_session=$(awk '$6 == "palisade_session" {print $7}' "$JAR")"

if [ -n "$CLIENT" ]; then
  page=$(curl -s -b "$JAR" "http://127.0.0.1:$PORT/switch?q=$(printf %s "$CLIENT" | sed 's/ /%20/g')")
  org=$(printf %s "$page" | grep -o 'name="org_id" value="[^"]*"' | tail -1 | cut -d'"' -f4)
  token=$(printf %s "$page" | grep -o 'name="_csrf" value="[^"]*"' | head -1 | cut -d'"' -f4)
  curl -s -b "$JAR" -c "$JAR" -o /dev/null --data-urlencode "_csrf=$token" --data-urlencode "org_id=$org" \
    "http://127.0.0.1:$PORT/switch"
  COOKIE="palisade_session=$(awk '$6 == "palisade_session" {print $7}' "$JAR")"
fi

# PORTAL_USER signs in to the portal of the client whose address PATHS name (/portal/{slug}/...) instead.
if [ -n "${PORTAL_USER:-}" ]; then
  base=$(printf %s "$PATHS" | grep -o '/portal/[^/ ]*' | head -1)
  rm -f "$JAR"
  csrf=$(curl -s -c "$JAR" "http://127.0.0.1:$PORT$base/sign-in" | grep -o 'name="_csrf" value="[^"]*"' | head -1 | cut -d'"' -f4)
  curl -s -b "$JAR" -c "$JAR" -o /dev/null -H "Origin: http://127.0.0.1:$PORT" --data-urlencode "_csrf=$csrf" \
    --data-urlencode "email=$PORTAL_USER" --data-urlencode "password=palisade-demo-2026" "http://127.0.0.1:$PORT$base/sign-in"
  COOKIE="palisade_session=$(awk '$6 == "palisade_session" {print $7}' "$JAR")"
fi

# INVOICE_FOR="Client 00000" times that client's invoice for this month: the preview page, then generating it.
if [ -n "${INVOICE_FOR:-}" ]; then
  page=$(curl -s -b "$JAR" "http://127.0.0.1:$PORT/switch?q=$(printf %s "$INVOICE_FOR" | sed 's/ /%20/g')")
  client=$(printf %s "$page" | grep -o 'name="org_id" value="[^"]*"' | tail -1 | cut -d'"' -f4)
  month=$(TZ=America/Chicago date +%Y-%m) # the load MSP's timezone
  preview="http://127.0.0.1:$PORT/billing/clients/$client/invoice?month=$month"
  curl -s -o "$DATA/preview.html" -w "preview of $INVOICE_FOR's invoice for $month: %{http_code}, %{size_download} bytes in %{time_total}s\n" \
    -H "Cookie: $COOKIE" "$preview"
  token=$(grep -o 'name="_csrf" value="[^"]*"' "$DATA/preview.html" | head -1 | cut -d'"' -f4)
  in_org=$(grep -o 'name="_org" value="[^"]*"' "$DATA/preview.html" | head -1 | cut -d'"' -f4)
  curl -s -o /dev/null -w "generated: %{http_code} (to %{redirect_url}) in %{time_total}s\n" -H "Cookie: $COOKIE" \
    -H "Origin: http://127.0.0.1:$PORT" --data-urlencode "_csrf=$token" --data-urlencode "_org=$in_org" --data-urlencode "month=$month" \
    "http://127.0.0.1:$PORT/billing/clients/$client/invoices"
fi

# One sign-in of a load member (fresh cookie jar: the sign-in page, then the form), as a browser does it.
sign_in() {
  local jar token
  jar=$(mktemp)
  token=$(curl -s -c "$jar" "http://127.0.0.1:$PORT/login" | grep -o 'name="_csrf" value="[^"]*"' | head -1 | cut -d'"' -f4)
  curl -s -b "$jar" -c "$jar" -o /dev/null -w '%{http_code}\n' --data-urlencode "_csrf=$token" \
    --data-urlencode "email=admin@load.test" --data-urlencode "password=palisade-demo-2026" \
    "http://127.0.0.1:$PORT/login" >> "$DATA/sign-ins"
  rm -f "$jar"
}

for path in $PATHS; do
  status=$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: $COOKIE" "http://127.0.0.1:$PORT$path")
  [ "$status" = 200 ] || { echo "GET $path answered $status"; exit 1; }
  # Unmeasured first: the pool opens its connections on demand and PostgreSQL plans each statement once.
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" -H "Cookie: $COOKIE" "http://127.0.0.1:$PORT$path" >/dev/null
  # SIGN_INS=20 signs in 20 times a second beside the load (argon2 on its own threads must not stall pages).
  if [ -n "${SIGN_INS:-}" ]; then
    : > "$DATA/sign-ins"
    ( while true; do for _ in $(seq "$SIGN_INS"); do sign_in & done; sleep 1; done ) & SIGNER=$!
  fi
  echo "== wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency $path${SIGN_INS:+ with $SIGN_INS sign-ins a second}"
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -H "Cookie: $COOKIE" "http://127.0.0.1:$PORT$path"
  if [ -n "${SIGN_INS:-}" ]; then
    kill "$SIGNER"; wait "$SIGNER" 2>/dev/null || true; sleep 1
    echo "sign-ins: $(sort "$DATA/sign-ins" | uniq -c | tr '\n' ' ')"
  fi
done
