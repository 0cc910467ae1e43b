"""Issue 24 budgets: `hf upload` of a 1 GiB folder through LFS (HF_HUB_DISABLE_XET=1) against
`xeroctl models upload` of the same folder; server RSS growth during the upload; preupload +
batch for a 10 000-file folder. Loopback only, the release binary, the test venv's client.

Usage: python3 scripts/slow/hub_publish.py [GIB]"""
import hashlib, json, os, subprocess, sys, tempfile, threading, time, urllib.request

sys.path.insert(0, os.path.dirname(__file__))
from common import BIN, Server, admin, free_port

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")
VENV = os.environ.get("XERO_TEST_VENV") or os.path.join(ROOT, "target", "test-venv")
GIB = float(sys.argv[1]) if len(sys.argv) > 1 else 1.0


def folder(path, total):
    """A model-like folder (config, four weight shards) of `total` bytes, made once."""
    marker = os.path.join(path, ".made")
    if os.path.exists(marker):
        return path
    os.makedirs(path, exist_ok=True)
    with open(os.path.join(path, "config.json"), "w") as out:
        out.write('{"model_type": "llama", "max_position_embeddings": 4096}')
    shard = int(total // 4)
    for i in range(4):
        with open(os.path.join(path, f"model-0000{i + 1}-of-00004.safetensors"), "wb") as out:
            left = shard
            while left:
                step = min(left, 64 << 20)
                out.write(os.urandom(step))
                left -= step
    open(marker, "w").close()
    return path


class Peak:
    """Samples the server's VmRSS every 50 ms while running."""

    def __init__(self, server):
        self.server, self.peak, self.running = server, 0, True
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        while self.running:
            self.peak = max(self.peak, self.server.rss_kib())
            time.sleep(0.05)

    def stop(self):
        self.running = False
        self.thread.join()
        return self.peak


def main():
    work = tempfile.mkdtemp(prefix="xero-publish-")
    data = os.path.join(work, "data")
    slug = "bench"
    project = admin(data, "create-project", "--slug", slug, "--name", "Bench")
    key = admin(data, "create-key", "--project", project, "--scope", "write")
    # hf upload goes to another project: bytes a project holds already are not sent again.
    other = admin(data, "create-project", "--slug", "bench-hf", "--name", "Bench HF")
    other_key = admin(data, "create-key", "--project", other, "--scope", "write")
    port = free_port()
    server = Server(data, port, os.path.join(work, "server.log"))
    source = folder(os.path.join(ROOT, "target", f"bench-publish-{GIB:g}gib"), GIB * (1 << 30))
    env = dict(os.environ, XERO_BASE_URL=server.base, XERO_API_KEY=key, HF_ENDPOINT=server.base,
               HF_TOKEN=key, HF_HUB_DISABLE_XET="1", HF_HUB_DISABLE_PROGRESS_BARS="1",
               HF_HOME=os.path.join(work, "hf"))
    results = {}
    try:
        for label, command in [
            ("xeroctl models upload", [BIN, "models", "upload", source, "--name", "cli-upload"]),
            ("hf upload (LFS)", [os.path.join(VENV, "bin", "hf"), "upload", "bench-hf/hf-upload", source, "."]),
        ]:
            env["HF_TOKEN"] = other_key
            before = server.rss_kib()
            peak = Peak(server)
            started = time.time()
            done = subprocess.run(command, env=env, capture_output=True, text=True)
            seconds = time.time() - started
            top = peak.stop()
            if done.returncode != 0:
                raise RuntimeError(f"{label}: {done.stdout}{done.stderr}")
            results[label] = seconds
            print(f"{label}: {seconds:.1f} s, {GIB * 1024 / seconds:.0f} MiB/s, "
                  f"server RSS {before // 1024} -> peak {top // 1024} MiB (+{(top - before) // 1024} MiB)")
        ratio = results["hf upload (LFS)"] / results["xeroctl models upload"]
        print(f"hf upload / xeroctl models upload: {ratio:.2f}x (budget <= 1.5x)")

        # preupload + batch for 10 000 files, 256 a call as the client sends them.
        urllib.request.urlopen(urllib.request.Request(
            server.base + "/api/repos/create", method="POST",
            data=json.dumps({"name": "many-files", "organization": slug}).encode(),
            headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"}))
        files = [{"path": f"part-{i:05}.bin", "size": 1000 + i, "sample": ""} for i in range(10_000)]
        objects = [{"oid": hashlib.sha256(str(i).encode()).hexdigest(), "size": 1000 + i} for i in range(10_000)]

        def post(path, body, kind="application/json"):
            request = urllib.request.Request(server.base + path, method="POST", data=json.dumps(body).encode(),
                                             headers={"Authorization": f"Bearer {key}", "Content-Type": kind})
            with urllib.request.urlopen(request) as answer:
                return json.loads(answer.read())

        started = time.time()
        for i in range(0, len(files), 256):
            post(f"/api/models/{slug}/many-files/preupload/main", {"files": files[i:i + 256]})
        for i in range(0, len(objects), 256):
            post(f"/{slug}/many-files.git/info/lfs/objects/batch",
                 {"operation": "upload", "transfers": ["basic", "multipart"], "objects": objects[i:i + 256]},
                 "application/vnd.git-lfs+json")
        print(f"preupload + batch for 10 000 files: {time.time() - started:.2f} s (budget <= 2 s)")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
