"""Issue 26 budgets: a registry blob GET of a 2 GiB GGUF (one stream, and 16 parallel Range
parts as Ollama pulls), the server's RSS growth meanwhile, manifest GETs at c=32 with wrk.
Loopback only, the release binary.

Usage: python3 scripts/slow/registry.py [GIB]"""
import hashlib, json, os, subprocess, sys, tempfile, threading, time, urllib.request

sys.path.insert(0, os.path.dirname(__file__))
from common import BIN, Server, admin, free_port
from hub_publish import Peak

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")
GIB = float(sys.argv[1]) if len(sys.argv) > 1 else 2.0


def main():
    work = tempfile.mkdtemp(prefix="xero-registry-")
    data = os.path.join(work, "data")
    project = admin(data, "create-project", "--slug", "bench", "--name", "Bench")
    key = admin(data, "create-key", "--project", project, "--scope", "write")
    source = os.path.join(ROOT, "target", f"bench-registry-{GIB:g}gib")
    os.makedirs(source, exist_ok=True)
    weights = os.path.join(source, "Big-Model-Q4_K_M.gguf")
    size = int(GIB * (1 << 30))
    if not os.path.exists(weights) or os.path.getsize(weights) != size:
        with open(weights, "wb") as out:
            left = size
            while left:
                step = min(left, 64 << 20)
                out.write(os.urandom(step))
                left -= step
    server = Server(data, free_port(), os.path.join(work, "server.log"))
    try:
        env = dict(os.environ, XERO_BASE_URL=server.base, XERO_API_KEY=key)
        subprocess.run([BIN, "models", "upload", source, "--name", "big-model", "--share"],
                       env=env, check=True, capture_output=True)
        manifest_url = f"{server.base}/v2/bench/big-model/manifests/Q4_K_M"
        request = urllib.request.Request(manifest_url, headers={
            "Accept": "application/vnd.docker.distribution.manifest.v2+json"})
        manifest = json.loads(urllib.request.urlopen(request).read())
        digest = manifest["layers"][0]["digest"]
        blob = f"{server.base}/v2/bench/big-model/blobs/{digest}"

        before = server.rss_kib()
        peak = Peak(server)
        started = time.time()
        subprocess.run(["curl", "-s", "-o", "/dev/null", blob], check=True)
        single = time.time() - started
        single_top = peak.stop()
        peak = Peak(server)
        part = -(-size // 16)
        started = time.time()
        pulls = [subprocess.Popen(["curl", "-s", "-o", "/dev/null", "-r",
                                   f"{i * part}-{min(size, (i + 1) * part) - 1}", blob])
                 for i in range(16)]
        for pull in pulls:
            pull.wait()
        parallel = time.time() - started
        top = peak.stop()
        gib = size / (1 << 30)
        print(f"blob GET, one stream: {gib / single:.2f} GiB/s ({single:.2f} s) (budget >= 1 GiB/s)")
        print(f"blob GET, 16 parallel Range parts: {gib / parallel:.2f} GiB/s ({parallel:.2f} s) "
              f"(budget >= the single stream)")
        print(f"server RSS during the single GET {before // 1024} -> peak {single_top // 1024} MiB "
              f"(+{(single_top - before) // 1024} MiB; budget <= 16); during the 16 parts +{(top - before) // 1024} MiB")
        out = subprocess.run(["wrk", "-t2", "-c32", "-d10s", "-H",
                              "Accept: application/vnd.docker.distribution.manifest.v2+json", manifest_url],
                             capture_output=True, text=True).stdout
        rate = [line for line in out.splitlines() if "Requests/sec" in line]
        print(f"manifest GET, c=32: {rate[0].split()[-1] if rate else out} req/s (budget >= 5 000)")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
