#!/usr/bin/env bash
# The live chat load run for docs/PERFORMANCE.md ("Live chat under load"): seeds a fresh installation with
# SESSIONS portal end users (palisade demo --portal-users), serves the release build, and runs
# examples/chat_load.rs: SESSIONS concurrent chats (end user + technician each, over WebSockets), both sides
# sending a message every EVERY_MS for DURATION seconds; it prints messages sent/received, lost, duplicated and
# the latency from sending to receiving on the other side (p50/p90/p99/max).
#   docs/chat_load.sh                                                   # SQLite (in-process fan-out)
#   DATABASE_URL=postgres://postgres@127.0.0.1:55472/chatload docs/chat_load.sh   # PostgreSQL (LISTEN/NOTIFY);
#                                                                       # the database must be new and empty
# Build first (or let the script do it): cargo build --release --bin palisade --example chat_load
# (CARGO_TARGET_DIR is honoured.) Measure on a quiet machine: the load average is printed with the figures.
set -euo pipefail
cd "$(dirname "$0")/.."
TARGET=${CARGO_TARGET_DIR:-target}
BIN=${PALISADE_BIN:-$TARGET/release/palisade}
BENCH=${CHAT_LOAD_BIN:-$TARGET/release/examples/chat_load}
PORT=${PORT:-18182}
SESSIONS=${SESSIONS:-200}
DURATION=${DURATION:-30}
EVERY_MS=${EVERY_MS:-1000}
CLIENTS=${CLIENTS:-100}
USERS=${USERS:-1000} # one in a hundred is a technician: 10 technicians, 20 chats each

DATA=$(mktemp -d)
trap 'kill ${SERVER:-0} 2>/dev/null || true; rm -rf "$DATA"' EXIT
export PALISADE_DATA_DIR=$DATA PALISADE_BIND=127.0.0.1:$PORT PALISADE_LOG=warn

[ -x "$BIN" ] && [ -x "$BENCH" ] || cargo build --release --bin palisade --example chat_load

BACKEND=SQLite
[ -z "${DATABASE_URL:-}" ] || BACKEND="PostgreSQL (${DATABASE_URL##*@})"
echo "== seeding: palisade demo --clients $CLIENTS --users $USERS --portal-users $SESSIONS on $BACKEND"
"$BIN" demo --clients "$CLIENTS" --users "$USERS" --portal-users "$SESSIONS" | tail -1
"$BIN" serve & SERVER=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done

echo "== $(date -u +%FT%TZ), load average: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"
"$BENCH" --base "http://127.0.0.1:$PORT" --clients "$CLIENTS" --users "$USERS" --sessions "$SESSIONS" \
  --seconds "$DURATION" --every-ms "$EVERY_MS"
echo "== server: $(ps -o rss=,time= -p "$SERVER" | awk '{printf "%.0f MB resident, %s CPU time", $1/1024, $2}')"
