#!/usr/bin/env bash
# Load test of the warm card, as README's performance section reports it.
#
# Starts, on loopback: the demo (the real service against the sandbox fakes)
# on PostgreSQL and Redis, and the baseline (a bare Echo handler that checks
# the same HubSpot signature and answers the same bytes from memory). Then
# runs wrk against each in turn, with the same signed request shape, and
# prints requests/s, p50, p99 and peak RSS of each.
#
#   bench/load.sh                 # 15 s per target, 64 connections, 2 threads
#   DURATION=30s CONNS=128 bench/load.sh
#
# Needs wrk (apt-get install wrk), psql, PostgreSQL on 127.0.0.1:5432 (trust
# auth) and Redis on 127.0.0.1:6379. Signed requests are valid 5 minutes, so
# keep DURATION well under that.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-15s}
CONNS=${CONNS:-64}
THREADS=${THREADS:-2}
PGURL=${PGURL:-postgres://postgres@127.0.0.1:5432}
CARD_ADDR=127.0.0.1:18080
BASE_ADDR=127.0.0.1:18081

for tool in wrk psql curl; do
  command -v "$tool" >/dev/null || { echo "load.sh: $tool is not installed" >&2; exit 1; }
done

tmp=$(mktemp -d)
db="hq_load_$$"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  psql "$PGURL/test" -qc "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT

go build -o "$tmp/hq" ./cmd/hubspot-quickbooks
go build -o "$tmp/baseline" ./bench/baseline
psql "$PGURL/test" -qc "CREATE DATABASE $db" >/dev/null

DATABASE_URL="$PGURL/$db?sslmode=disable" REDIS_URL=redis://127.0.0.1:6379/0 \
  HTTP_ADDR=$CARD_ADDR DEBUG_ADDR=127.0.0.1:0 LOG_LEVEL=error \
  "$tmp/hq" demo >"$tmp/demo.out" 2>"$tmp/demo.err" &
pids+=($!)
demo_pid=$!
for _ in $(seq 50); do grep -q CARD_API_BASE_URL "$tmp/demo.out" 2>/dev/null && break; sleep 0.2; done
grep -q CARD_API_BASE_URL "$tmp/demo.out" || { echo "load.sh: demo did not start:" >&2; cat "$tmp/demo.err" >&2; exit 1; }

# sign METHOD URL -> prints curl/wrk header arguments on lines 2.., URL on line 1
signed() { "$tmp/hq" card --print GET "$1"; }
headers() { tail -n +2 "$1" | while IFS= read -r h; do printf '%s\n' "-H" "$h"; done; }

card_url="http://$CARD_ADDR/api/v1/records/deals/1011/invoices"
signed "$card_url" >"$tmp/card.sig"
mapfile -t card_h < <(headers "$tmp/card.sig")
# Warm the card (snapshots and quotes), and keep its exact bytes for the baseline.
curl -sf "${card_h[@]}" "$(head -1 "$tmp/card.sig")" >"$tmp/answer.json"
curl -sf "${card_h[@]}" "$(head -1 "$tmp/card.sig")" >"$tmp/answer.json"

"$tmp/baseline" --addr $BASE_ADDR --answer "$tmp/answer.json" 2>"$tmp/baseline.err" &
pids+=($!)
base_pid=$!
sleep 0.5
signed "http://$BASE_ADDR/api/v1/records/deals/1011/invoices" >"$tmp/base.sig"
mapfile -t base_h < <(headers "$tmp/base.sig")
curl -sf "${base_h[@]}" "$(head -1 "$tmp/base.sig")" >/dev/null || { echo "load.sh: baseline refused the signed request" >&2; exit 1; }

run() { # name pid sigfile headers...
  local name=$1 pid=$2 sig=$3; shift 3
  wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" --latency "$@" "$(head -1 "$sig")" >"$tmp/$name.wrk"
  local rps p50 p99 non2xx rss
  rps=$(awk '/Requests\/sec/ {print $2}' "$tmp/$name.wrk")
  p50=$(awk '$1=="50%" {print $2}' "$tmp/$name.wrk")
  p99=$(awk '$1=="99%" {print $2}' "$tmp/$name.wrk")
  non2xx=$(awk '/Non-2xx/ {print $5}' "$tmp/$name.wrk"); non2xx=${non2xx:-0}
  rss=$(awk '/VmHWM/ {printf "%.0f MiB", $2/1024}' "/proc/$pid/status")
  printf '| %s | %s | %s | %s | %s | %s |\n' "$name" "$rps" "$p50" "$p99" "$rss" "$non2xx"
}

echo "wrk -t$THREADS -c$CONNS -d$DURATION, answer $(wc -c <"$tmp/answer.json") bytes, $(nproc) cores"
echo "| target | requests/s | p50 | p99 | peak RSS | non-2xx |"
echo "|---|---|---|---|---|---|"
run "warm card (demo, PostgreSQL + Redis)" "$demo_pid" "$tmp/card.sig" "${card_h[@]}"
run "baseline (bare Echo, same signature check and bytes)" "$base_pid" "$tmp/base.sig" "${base_h[@]}"
