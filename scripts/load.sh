#!/usr/bin/env bash
# Load test on loopback, bounded in time: a synthetic catalog, the release server, wrk against
# the catalog search, share-to-visible latency and the server's peak RSS. Prints a summary for
# BENCHMARKS.md. Usage: scripts/load.sh [MODELS] [SECONDS]   (defaults 100000, 15)
set -euo pipefail
cd "$(dirname "$0")/.."
MODELS=${1:-100000}
SECONDS_PER_RUN=${2:-15}
PORT=${PORT:-18555}
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
cargo build --release --quiet
BIN=target/release/xeroctl
DATA=$(mktemp -d)
trap 'kill $SERVER 2>/dev/null || true; wait $SERVER 2>/dev/null || true; rm -rf "$DATA"' EXIT

echo "== generating $MODELS shared models"
/usr/bin/time -f "generate: %e s, peak RSS %M KiB" $BIN admin --data "$DATA" generate --models "$MODELS" --projects 50
PROJECT=$($BIN admin --data "$DATA" create-project --slug loadtest --name "Load test")
KEY=$($BIN admin --data "$DATA" create-key --project "$PROJECT" 2>/dev/null)

echo "== starting the server (it builds the index from SQLite)"
STARTED=$(date +%s.%N)
$BIN serve --data "$DATA" --bind "127.0.0.1:$PORT" >"$DATA/server.log" 2>&1 &
SERVER=$!
# It listens at once (/healthz); /readyz answers 503 until the index is built (curl -f fails on it).
for _ in $(seq 1 30000); do curl -s -o /dev/null "http://127.0.0.1:$PORT/healthz" && break; sleep 0.01; done
echo "listening after $(echo "$(date +%s.%N) - $STARTED" | bc) s"
for _ in $(seq 1 30000); do curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 0.05; done
echo "ready (index built) after $(echo "$(date +%s.%N) - $STARTED" | bc) s"
sed 's/\x1b\[[0-9;]*m//g' "$DATA/server.log" | grep -o 'models=[0-9]* elapsed_ms=[0-9]*' | sed 's/^/index build: /'

BASE="http://127.0.0.1:$PORT/v1/catalog/models"
declare -A QUERIES=(
  [a_keyword]="q=instruct%20coder"
  [b_keyword_filters_facets]="q=instruct&family=qwen2&family=llama&license=apache-2.0&min_params=3B&max_params=40B"
  [c_facets_only]=""
)
for name in a_keyword b_keyword_filters_facets c_facets_only; do
  echo "== wrk $name: 2 threads, 32 connections, ${SECONDS_PER_RUN}s"
  wrk -t2 -c32 -d"${SECONDS_PER_RUN}s" --latency "$BASE?${QUERIES[$name]}" | grep -E "Requests/sec|Latency  |50%|99%|Non-2xx"
done

PAGE="http://127.0.0.1:$PORT/models/catalog"
for view in "landing|" "filtered|license=apache-2.0" "keyword|q=qwen%20coder" "filtered_many|family=llama&license=apache-2.0&min_params=3B&max_params=40B"; do
  name=${view%%|*}; query=${view#*|}
  echo "== wrk HTML catalog page, $name view: 2 threads, 32 connections, ${SECONDS_PER_RUN}s"
  wrk -t2 -c32 -d"${SECONDS_PER_RUN}s" --latency "$PAGE?$query" | grep -E "Requests/sec|50%|99%|Non-2xx"
done

echo "== share -> visible in search (200 shares, each searched right after its answer)"
python3 - "$PORT" "$PROJECT" "$KEY" <<'PY'
import json, sys, time, urllib.request
port, project, key = sys.argv[1:4]
base = f"http://127.0.0.1:{port}"
def call(method, path, body=None, auth=True):
    req = urllib.request.Request(base + path, method=method, data=None if body is None else json.dumps(body).encode())
    if auth: req.add_header("Authorization", f"Bearer {key}")
    with urllib.request.urlopen(req) as r: return json.load(r)
lat, missed = [], 0
for i in range(200):
    name = f"Visible-Probe-{i}-zq{i:04d}"
    mid = call("POST", f"/{project}/v1/models", {"name": name})["id"]
    t0 = time.perf_counter()
    call("POST", f"/{project}/v1/models/{mid}/share")
    hits = call("GET", f"/v1/catalog/models?q=zq{i:04d}&per_page=100", auth=False)["models"]
    lat.append((time.perf_counter() - t0) * 1000)
    missed += not any(h["id"] == mid for h in hits)
lat.sort()
print(f"share+search: p50 {lat[100]:.1f} ms, p99 {lat[197]:.1f} ms, max {lat[-1]:.1f} ms; not visible at once: {missed}/200")
PY
echo "== server memory"
grep -E "VmHWM|VmRSS|RssAnon|RssFile" "/proc/$SERVER/status"
