#!/usr/bin/env bash
# The load and fault proof of README's "Scale out" section: builds the
# binary and runs bench/faults, which starts its own PostgreSQL and Redis
# (PostgreSQL's programs and redis-server must be installed; as root the
# server runs as the user postgres), the fakes, two replicas and a proxy on
# loopback, and prints the report in Markdown. About six minutes.
#
#   bench/faults.sh                       # the README's run
#   bench/faults.sh -measure 5s -qbo-outage 10s   # a quick one
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/hq" ./cmd/hubspot-quickbooks
go run ./bench/faults -bin "$tmp/hq" -logs "$tmp/replicas.log" "$@"
