#!/usr/bin/env bash
# The back office benchmark: 100,000 synthetic notifications over 2,000
# organisations (bench/seed_admin.sql) in a throw-away database, a regulator
# made with the command line, then bench/admin.rs against the service.
#
#   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres bench/admin.sh [count] [organisations]
source "$(dirname "$0")/lib.sh"
bench_start admin bench/seed_admin.sql count="${1:-100000}" orgs="${2:-2000}"
email="bench-regulator@datatilsynet.no"
password="bench regulator password of some length"
enrolled=$(DATABASE_URL="$bench_url" MELDEPLIKT_DATA_DIR="$work/var" MELDEPLIKT_PASSWORD="$password" \
    target/release/meldeplikt create-regulator --email "$email")
# The TOTP secret, where the command line enrolled one.
secret=$(grep -o 'secret=[A-Z2-7]*' <<<"$enrolled" | head -n 1 | cut -d= -f2 || true)
BENCH_TOTP_SECRET="$secret" target/release/examples/admin "$base" "$service" "$email" "$password"
