#!/usr/bin/env bash
# The register benchmark: a throw-away database on a PostgreSQL server you
# name, 100,000 synthetic entries (bench/seed_register.sql), the service in
# release mode, then bench/register.rs against it. Everything stays on this
# machine; the database is dropped at the end.
#
#   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres bench/register.sh [count]
set -euo pipefail
cd "$(dirname "$0")/.."
admin_url=${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}
count=${1:-100000}
db="meldeplikt_bench_$$"
bench_url="${admin_url%/*}/$db"
work=$(mktemp -d)
service=""
cleanup() {
    if [ -n "$service" ]; then
        kill -TERM "$service" 2>/dev/null || true
        wait "$service" 2>/dev/null || true
    fi
    psql -q "$admin_url" -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT

cargo build --locked --release --quiet --bin meldeplikt --example register
psql -q "$admin_url" -c "CREATE DATABASE $db" >/dev/null
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
DATABASE_URL="$bench_url" MELDEPLIKT_DATA_DIR="$work/var" MELDEPLIKT_LISTEN="127.0.0.1:$port" \
    MELDEPLIKT_PUBLIC_REQUESTS_PER_MINUTE=0 RUST_LOG=warn \
    target/release/meldeplikt serve >"$work/service.log" 2>&1 &
service=$!
for _ in $(seq 1 100); do
    curl -fsS "http://127.0.0.1:$port/health/ready" >/dev/null 2>&1 && break
    sleep 0.2
done
echo "seeding $count entries"
psql -q "$bench_url" -v count="$count" -f bench/seed_register.sql >/dev/null
psql -q "$bench_url" -c "VACUUM ANALYZE register_entries" >/dev/null
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(psql -Atq "$bench_url" -c 'SHOW server_version')"
target/release/examples/register "http://127.0.0.1:$port" "$service"
