#!/usr/bin/env bash
# Slow cases, bounded in time, loopback only: T29 crash storm (SIGKILL during writes) and T38
# commit storm (1 000 kills by default, about 15 min), T18 login flood, T23/T28/T33 uploads (2 GiB, slow clients, disk full), issue 13 Hub budgets (hub.py), issue 15 bundle budgets (bundles.py: 10k-model export/import, a 2 GiB bundle), T31 power loss (power_loss.py: 200 cuts on LazyFS, at most 30 min; skipped without a LazyFS binary at LAZYFS_BIN). Results go into BENCHMARKS.md. Usage: scripts/slow.sh [ITERATIONS] [MODELS]
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
# hub.py drives HEAD with ab (wrk waits for a body after HEAD).
command -v ab >/dev/null || { apt-get update -qq && apt-get install -y -qq apache2-utils >/dev/null; }
python3 scripts/slow/crash_storm.py "${1:-1000}" 2400
python3 scripts/slow/commit_storm.py "${2:-20000}"
python3 scripts/slow/login_flood.py
python3 scripts/slow/uploads.py
python3 scripts/slow/hub.py
python3 scripts/slow/bundles.py
# power_loss.py mounts LazyFS (fusermount3 from fuse3) and sees the fsyncs with strace.
if [ -x "${LAZYFS_BIN:-$HOME/.cache/xero-tools/lazyfs/lazyfs}" ]; then
  { command -v strace && command -v fusermount3; } >/dev/null || { apt-get update -qq && apt-get install -y -qq strace fuse3 >/dev/null; }
fi
python3 scripts/slow/power_loss.py --cycles 200 --minutes 30
