"""Issue 13 budgets on loopback, bounded: resolve GET of a 2 GiB file (MiB/s, server RSS growth),
resolve HEAD at c=32 (req/s, ab from apache2-utils), tree of a 1 000-file repository (ms), and
import-hf of a 10-file 1 GiB HF cache against `cp -rL` of its snapshot."""
import hashlib, json, os, shutil, subprocess, sys, tempfile, time, urllib.request
from common import BIN, Server, admin, call, free_port, percentile

GIB = 1 << 30


def put(base, path, key, data_path=None, data=None):
    req = urllib.request.Request(base + path, method="PUT", data=data if data is not None else open(data_path, "rb"))
    req.add_header("Authorization", f"Bearer {key}")
    if data_path:
        req.add_header("Content-Length", str(os.path.getsize(data_path)))
    with urllib.request.urlopen(req, timeout=600) as r:
        return json.loads(r.read())


def main():
    work = tempfile.mkdtemp(dir=os.environ.get("XERO_BENCH_DIR"))
    data = os.path.join(work, "data")
    project = admin(data, "create-project", "--slug", "bench", "--name", "Bench")
    key = admin(data, "create-key", "--project", project)
    port = free_port()
    server = Server(data, port, os.path.join(work, "server.log"))
    base = server.base
    # `hub.py import` (or `resolve`, `tree`) runs only the sections named.
    only = set(sys.argv[1:])
    want = lambda name: not only or name in only
    if want("resolve"):
        resolve_figures(base, project, key, work, server)
    if want("tree"):
        tree_figures(base, project, key)
    if want("import"):
        import_figures(base, project, key, work)
    server.stop()


def resolve_figures(base, project, key, work, server):
    # 1. A 2 GiB file, uploaded once, downloaded through resolve.
    big = os.path.join(work, "big.bin")
    with open(big, "wb") as f:
        block = os.urandom(1 << 20)
        for _ in range(2048):
            f.write(block)
    mid = call(base, "POST", f"/{project}/v1/models", key, {"name": "Big File Model"})["id"]
    call(base, "POST", f"/{project}/v1/models/{mid}/share", key)
    put(base, f"/{project}/v1/models/{mid}/files/big.bin", key, data_path=big)
    rss_before = server.rss_kib()
    peak = rss_before
    started = time.perf_counter()
    with urllib.request.urlopen(base + "/bench/big-file-model/resolve/main/big.bin", timeout=600) as r:
        total = 0
        while True:
            chunk = r.read(1 << 20)
            if not chunk:
                break
            total += len(chunk)
            if total % (256 << 20) == 0:
                peak = max(peak, server.rss_kib())
    elapsed = time.perf_counter() - started
    assert total == 2 * GIB, total
    print(f"resolve GET 2 GiB: {total / elapsed / (1 << 20):.0f} MiB/s, server RSS {rss_before // 1024} MiB before, peak {peak // 1024} MiB (+{(peak - rss_before) / 1024:.1f} MiB)", flush=True)
    # 2. HEAD on resolve, c=32.
    url = base + "/bench/big-file-model/resolve/main/big.bin"
    # wrk waits for a body after HEAD; ab -i speaks HEAD (apache2-utils).
    out = subprocess.run(["ab", "-i", "-k", "-c", "32", "-n", "50000", url], capture_output=True, text=True).stdout
    rps = [l for l in out.splitlines() if "Requests per second" in l]
    print(f"resolve HEAD, ab -i -k -c 32 -n 50000: {rps[0].split()[3] if rps else out} req/s", flush=True)


def tree_figures(base, project, key):
    # 3. A 1 000-file repository's recursive tree.
    tid = call(base, "POST", f"/{project}/v1/models", key, {"name": "Thousand Files"})["id"]
    call(base, "POST", f"/{project}/v1/models/{tid}/share", key)
    files = []
    for i in range(1000):
        body = f"file {i}\n".encode()
        sha = hashlib.sha256(body).hexdigest()
        put(base, f"/{project}/v1/blobs/{sha}", key, data=body)
        files.append({"path": f"shard-{i // 100}/part-{i:04}.txt", "sha256": sha, "size": len(body)})
    call(base, "POST", f"/{project}/v1/models/{tid}/revisions", key, {"files": files})
    times = []
    for _ in range(50):
        t = time.perf_counter()
        with urllib.request.urlopen(base + "/api/models/bench/thousand-files/tree/main?recursive=true") as r:
            entries = json.loads(r.read())
        times.append((time.perf_counter() - t) * 1000)
    print(f"tree of 1 000 files (recursive, {len(entries)} entries): median {percentile(times, 50):.1f} ms, p99 {percentile(times, 99):.1f} ms", flush=True)


def import_figures(base, project, key, work):
    # 4. import-hf of an HF cache folder (10 shards + config, 1 GiB) against `cp -rL` of its
    # snapshot (the same bytes copied, links followed).
    cache = os.path.join(work, "models--bench--Ten-File-Model")
    revision = "0" * 40
    snap = os.path.join(cache, "snapshots", revision)
    os.makedirs(snap)
    os.makedirs(os.path.join(cache, "blobs"))
    os.makedirs(os.path.join(cache, "refs"))
    open(os.path.join(cache, "refs", "main"), "w").write(revision)
    names = [f"model-{i:05}-of-00010.safetensors.bin" for i in range(10)] + ["config.json"]
    for name in names:
        data = b'{"model_type": "llama"}' if name == "config.json" else os.urandom(1 << 20) * 102
        sha = hashlib.sha256(data).hexdigest()
        open(os.path.join(cache, "blobs", sha), "wb").write(data)
        os.symlink(os.path.join("..", "..", "blobs", sha), os.path.join(snap, name))
    # Alternate the two twice and keep each one's best: the disk's write-back state after one
    # run otherwise penalises whichever runs second.
    env = dict(os.environ, XERO_BASE_URL=base, XERO_API_KEY=key)
    cp_times, import_times = [], []
    for attempt in range(3):
        subprocess.run(["sync"])
        t = time.perf_counter()
        subprocess.run(["cp", "-rL", snap, os.path.join(work, f"copy-{attempt}")], check=True)
        subprocess.run(["sync"])
        cp_times.append(time.perf_counter() - t)
        subprocess.run(["sync"])
        t = time.perf_counter()
        done = subprocess.run([BIN, "models", "import-hf", cache, "--name", f"Ten File Model {attempt}"], check=True, env=env, capture_output=True, text=True)
        print("  " + done.stdout.splitlines()[0] if done.stdout else done.stderr, flush=True)
        subprocess.run(["sync"])
        import_times.append(time.perf_counter() - t)
        # A second import of the same cache finds every blob there: delete the model between.
        listed = call(base, "GET", f"/{project}/v1/models?per_page=200", key)["models"]
        for m in listed:
            if m["name"].startswith("Ten File Model"):
                call(base, "DELETE", f"/{project}/v1/models/{m['id']}", key)
    cp, imported = min(cp_times), min(import_times)
    print(f"import-hf of an HF cache (11 files, 1.0 GiB): best {imported:.2f} s of {[round(x, 2) for x in import_times]}; cp -rL of its snapshot best {cp:.2f} s of {[round(x, 2) for x in cp_times]} ({imported / cp:.1f}x); each followed by sync", flush=True)
    shutil.rmtree(work, ignore_errors=True)


main()
