#!/usr/bin/env bash
# The speed benchmark (bench/speed/main.rs): in one run on this machine, a
# private PostgreSQL cluster, pgbench with the statements of a create and a
# read as the service sends them, then the service itself at the same
# concurrency; prints both figures, the ratios, p50/p99, the service's peak
# memory, its startup and the read's p99 during a flood of sign-ins.
# Needs PostgreSQL's server programs (initdb, pgbench), as the service does.
#
#   bench/speed.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --locked --release --quiet --bin meldeplikt --example speed
exec target/release/examples/speed
