"""RELIABILITY T38: 1 000 share/unshare toggles in about 10 s from 8 clients while 16 clients
search. Reports search p99 before and during the storm, toggle visibility, segment count, RSS."""
import json, os, random, sys, tempfile, threading, time
from common import Server, admin, call, free_port, percentile

MODELS = int(sys.argv[1]) if len(sys.argv) > 1 else 20000


def search_load(base, seconds, out):
    end = time.time() + seconds
    qs = ["", "q=instruct", "q=coder&license=apache-2.0", "family=qwen2&min_params=3B", "q=chat&tag=code"]
    r = random.Random()
    while time.time() < end:
        t0 = time.perf_counter()
        call(base, "GET", "/v1/catalog/models?" + r.choice(qs))
        out.append((time.perf_counter() - t0) * 1000)


def main():
    data = tempfile.mkdtemp()
    log = os.path.join(data, "server.log")
    admin(data, "generate", "--models", str(MODELS), "--projects", "10")
    project = admin(data, "create-project", "--slug", "storm", "--name", "Storm")
    key = admin(data, "create-key", "--project", project)
    server = Server(data, free_port(), log)
    base = server.base
    ids = [call(base, "POST", f"/{project}/v1/models", key, {"name": f"Toggle-{i}-tg{i:03d}"})["id"] for i in range(100)]
    baseline = []
    threads = [threading.Thread(target=search_load, args=(base, 8, baseline)) for _ in range(16)]
    [t.start() for t in threads]; [t.join() for t in threads]
    rss_before = server.rss_kib()

    during, visible_late, toggles = [], 0, []
    searchers = [threading.Thread(target=search_load, args=(base, 12, during)) for _ in range(16)]
    [t.start() for t in searchers]

    def toggler(k):
        nonlocal visible_late
        r = random.Random(k)
        for n in range(125):
            i = r.randrange(len(ids))
            op = r.choice(["share", "unshare"])
            t0 = time.perf_counter()
            call(base, "POST", f"/{project}/v1/models/{ids[i]}/{op}", key)
            hits = call(base, "GET", f"/v1/catalog/models?q=tg{i:03d}&per_page=100")["models"]
            present = any(h["id"] == ids[i] for h in hits)
            toggles.append((time.perf_counter() - t0) * 1000)
            if present != (op == "share"):
                # another client may have toggled it since; only count if still wrong after 1 s
                time.sleep(1)
                state = call(base, "GET", f"/{project}/v1/models/{ids[i]}", key)["shared"]
                hits = call(base, "GET", f"/v1/catalog/models?q=tg{i:03d}&per_page=100")["models"]
                if any(h["id"] == ids[i] for h in hits) != state:
                    visible_late += 1
            time.sleep(r.uniform(0, 0.12))

    started = time.time()
    writers = [threading.Thread(target=toggler, args=(k,)) for k in range(8)]
    [t.start() for t in writers]; [t.join() for t in writers]
    storm_s = time.time() - started
    [t.join() for t in searchers]
    segments = len(json.load(open(os.path.join(data, "index", "meta.json")))["segments"])
    print(f"T38 commit storm at {MODELS} models: {len(toggles)} toggles in {storm_s:.1f} s; "
          f"search p99 {percentile(baseline, 99):.1f} ms before, {percentile(during, 99):.1f} ms during "
          f"({len(baseline)} / {len(during)} searches); toggle+search p99 {percentile(toggles, 99):.1f} ms; "
          f"not visible within 1 s: {visible_late}; segments after: {segments}; "
          f"RSS {rss_before // 1024} MiB before, {server.rss_kib() // 1024} MiB after")
    server.stop()


main()
