#!/usr/bin/env bash
# The register benchmark: 100,000 synthetic entries (bench/seed_register.sql)
# in a throw-away database, then bench/register.rs against the service.
#
#   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres bench/register.sh [count]
source "$(dirname "$0")/lib.sh"
bench_start register bench/seed_register.sql count="${1:-100000}"
target/release/examples/register "$base" "$service"
