# What the benchmark scripts share (sourced): a throw-away database on the
# PostgreSQL server BENCH_DATABASE_URL names, the service in release mode
# against it, and cleaning up after. Everything stays on this machine.
#
#   bench_start <example> <seed.sql> [psql -v assignments...]
#     builds the service and the example, creates the database, starts the
#     service on a free loopback port (rate limits off), seeds it; sets
#     $base, $service (its pid) and $bench_url.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
admin_url=${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}
db="meldeplikt_bench_$$"
bench_url="${admin_url%/*}/$db"
work=$(mktemp -d)
service=""
bench_cleanup() {
    if [ -n "$service" ]; then
        kill -TERM "$service" 2>/dev/null || true
        wait "$service" 2>/dev/null || true
    fi
    psql -q "$admin_url" -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap bench_cleanup EXIT

bench_start() {
    local example=$1 seed=$2
    shift 2
    cargo build --locked --release --quiet --bin meldeplikt --example "$example"
    psql -q "$admin_url" -c "CREATE DATABASE $db" >/dev/null
    local port
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    base="http://127.0.0.1:$port"
    DATABASE_URL="$bench_url" MELDEPLIKT_DATA_DIR="$work/var" MELDEPLIKT_LISTEN="127.0.0.1:$port" \
        MELDEPLIKT_REGISTER_RATE_PER_MIN=0 MELDEPLIKT_REGISTRATIONS_PER_HOUR=1000000 \
        RUST_LOG=warn target/release/meldeplikt serve >"$work/service.log" 2>&1 &
    service=$!
    for _ in $(seq 1 100); do
        curl -fsS "$base/health/ready" >/dev/null 2>&1 && break
        sleep 0.2
    done
    echo "seeding ($seed $*)"
    local vars=()
    for v in "$@"; do vars+=(-v "$v"); done
    psql -q "$bench_url" "${vars[@]}" -f "$seed" >/dev/null
    psql -q "$bench_url" -c "VACUUM ANALYZE" >/dev/null
    echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), PostgreSQL $(psql -Atq "$bench_url" -c 'SHOW server_version')"
}
