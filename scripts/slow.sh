#!/usr/bin/env bash
# Slow cases, bounded in time, loopback only: T29 crash storm (SIGKILL during writes) and T38
# commit storm (1 000 kills by default, about 15 min), T18 login flood, T23/T28/T33 uploads (2 GiB, slow clients, disk full). Results go into BENCHMARKS.md. Usage: scripts/slow.sh [ITERATIONS] [MODELS]
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
python3 scripts/slow/crash_storm.py "${1:-1000}" 2400
python3 scripts/slow/commit_storm.py "${2:-20000}"
python3 scripts/slow/login_flood.py
python3 scripts/slow/uploads.py
