"""Issue 12 point 3: share throughput and share -> visible latency with concurrent clients.

Against the release server on loopback: THREADS clients first register their models (not timed),
then share them for SECONDS (shares/s, share answer p50/p99), then share more while searching
for each one's unique word right after the answer (share -> visible p99; a share answers only
once searchable, so "not visible" must stay 0). Keep-alive connections, so the client costs
little beside the server. Bounded: about 2 x SECONDS plus the registration.
Usage: python3 scripts/slow/shares.py [THREADS] [SECONDS]   (defaults 8, 10); XERO_BIN picks
the binary (default target/release/xeroctl). With SHARES_CLIENT=wrk the shares/s phase is driven
by wrk (THREADS connections, scripts/wrk/shares.lua) instead of Python threads, whose own CPU
on the same two cores holds the server back."""
import http.client, json, os, re, subprocess, sys, tempfile, threading, time
from common import Server, admin, free_port, percentile

THREADS = int(sys.argv[1]) if len(sys.argv) > 1 else 8
SECONDS = float(sys.argv[2]) if len(sys.argv) > 2 else 10
# Models registered per client; more than a client can share in SECONDS at the budget.
PER_THREAD = int(os.environ.get("SHARES_PER_THREAD", "3000"))


class Client:
    """One keep-alive connection."""

    def __init__(self, port, key):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.key = key

    def call(self, method, path, body=None, auth=True):
        headers = {"Content-Type": "application/json"}
        if auth:
            headers["Authorization"] = f"Bearer {self.key}"
        self.conn.request(method, path, body=None if body is None else json.dumps(body), headers=headers)
        response = self.conn.getresponse()
        raw = response.read()
        if response.status >= 300:
            raise RuntimeError(f"{method} {path}: {response.status} {raw[:200]!r}")
        return json.loads(raw) if raw else None


def word(thread, i):
    return f"zq{thread}x{i:06d}"


def register(port, key, project, thread, out):
    client = Client(port, key)
    out[thread] = [client.call("POST", f"/{project}/v1/models", {"name": f"Share-Probe {word(thread, i)}"})["id"]
                   for i in range(PER_THREAD)]


def share_only(port, key, project, ids, deadline, latencies, done):
    client = Client(port, key)
    for mid in ids:
        if time.time() >= deadline:
            break
        t0 = time.perf_counter()
        client.call("POST", f"/{project}/v1/models/{mid}/share")
        latencies.append((time.perf_counter() - t0) * 1000)
        done.append(mid)


def share_and_search(port, key, project, thread, ids, first, deadline, latencies, missed):
    client = Client(port, key)
    for i, mid in enumerate(ids, start=first):
        if time.time() >= deadline:
            break
        t0 = time.perf_counter()
        client.call("POST", f"/{project}/v1/models/{mid}/share")
        hits = client.call("GET", f"/v1/catalog/models?q={word(thread, i)}&per_page=10", auth=False)["models"]
        latencies.append((time.perf_counter() - t0) * 1000)
        if not any(h["id"] == mid for h in hits):
            missed.append(mid)


def share_with_wrk(port, key, project, ids, data):
    """THREADS wrk connections on 2 threads share the registered models; returns the ids shared
    (read back from the API, so the next phase goes on after them)."""
    listing = os.path.join(data, "share-ids.txt")
    with open(listing, "w") as out:
        for t in range(THREADS):
            for mid in ids[t]:
                out.write(f"{project} {mid}\n")
    script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "wrk", "shares.lua")
    env = dict(os.environ, SHARES_IDS=listing, SHARES_KEY=key, SHARES_THREADS="2")
    out = subprocess.run(["wrk", "-t2", f"-c{THREADS}", f"-d{int(SECONDS)}s", "--latency", "-s", script,
                          f"http://127.0.0.1:{port}"], env=env, capture_output=True, text=True, check=True).stdout
    rate = re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)
    p50 = re.search(r"50%\s+(\S+)", out).group(1)
    p99 = re.search(r"99%\s+(\S+)", out).group(1)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    client = Client(port, key)
    shared = set()
    page = 1
    while True:
        got = client.call("GET", f"/{project}/v1/models?per_page=100&page={page}")["models"]
        shared.update(m["id"] for m in got if m.get("shared"))
        if len(got) < 100:
            break
        page += 1
    print(f"shares (wrk, {THREADS} connections): {rate}/s; answer p50 {p50}, p99 {p99}; "
          f"{len(shared)} models shared; non-2xx: {errors.group(1) if errors else 0}", flush=True)
    return shared


def run(threads):
    [t.start() for t in threads]
    [t.join() for t in threads]


def main():
    data = tempfile.mkdtemp()
    log = os.path.join(data, "server.log")
    project = admin(data, "create-project", "--slug", "shares", "--name", "Shares")
    key = admin(data, "create-key", "--project", project)
    port = free_port()
    server = Server(data, port, log)
    try:
        ids = {}
        t0 = time.time()
        run([threading.Thread(target=register, args=(port, key, project, t, ids)) for t in range(THREADS)])
        print(f"registered {THREADS * PER_THREAD} models in {time.time() - t0:.1f} s", flush=True)

        latencies, done = [], []
        if os.environ.get("SHARES_CLIENT") == "wrk":
            done = share_with_wrk(port, key, project, ids, data)
        else:
            deadline = time.time() + SECONDS
            t0 = time.time()
            run([threading.Thread(target=share_only, args=(port, key, project, ids[t], deadline, latencies, done))
                 for t in range(THREADS)])
            elapsed = time.time() - t0
            print(f"shares: {len(done)} in {elapsed:.1f} s = {len(done) / elapsed:.0f}/s with {THREADS} clients; "
                  f"answer p50 {percentile(latencies, 50):.1f} ms, p99 {percentile(latencies, 99):.1f} ms", flush=True)

        visible, missed = [], []
        deadline = time.time() + SECONDS
        threads, done = [], set(done)
        for t in range(THREADS):
            # Each client shared a prefix of its models; it goes on after it.
            shared = sum(1 for mid in ids[t] if mid in done)
            threads.append(threading.Thread(target=share_and_search, args=(
                port, key, project, t, ids[t][shared:], shared, deadline, visible, missed)))
        run(threads)
        print(f"share -> visible: {len(visible)} probes, p50 {percentile(visible, 50):.1f} ms, "
              f"p99 {percentile(visible, 99):.1f} ms, max {max(visible, default=0):.1f} ms; "
              f"not visible at once: {len(missed)}", flush=True)
    finally:
        server.stop()


if __name__ == "__main__":
    main()
