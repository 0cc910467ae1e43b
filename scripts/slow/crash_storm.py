"""RELIABILITY T29: kill -9 during a write storm, restart, check the invariants.

Each iteration: start the server, four writers share / unshare / rename disjoint sets of models,
SIGKILL at a random instant, restart, then check (1) PRAGMA integrity_check, (2) the catalog index
equals the shared rows of SQLite (ids and names), (3) every acknowledged write is present (a write
in flight at the kill may or may not be). Bounded by iterations and wall time; loopback only."""
import random, sqlite3, sys, tempfile, threading, time, os
from common import Server, admin, call, free_port

ITERATIONS = int(sys.argv[1]) if len(sys.argv) > 1 else 50
LIMIT_S = float(sys.argv[2]) if len(sys.argv) > 2 else 300
MODELS = 80


def main():
    data = tempfile.mkdtemp()
    log = os.path.join(data, "server.log")
    project = admin(data, "create-project", "--slug", "storm", "--name", "Storm")
    key = admin(data, "create-key", "--project", project)
    port = free_port()
    server = Server(data, port, log)
    base = server.base
    ids = [call(base, "POST", f"/{project}/v1/models", key, {"name": f"storm-{i}"})["id"] for i in range(MODELS)]
    # Per model: the last acknowledged state and the state of a write still in flight.
    acked = {mid: {"shared": False, "name": f"storm-{n}"} for n, mid in enumerate(ids)}
    inflight = {}
    mismatches, iterations, writes = 0, 0, 0
    started = time.time()
    rng = random.Random(7)
    while iterations < ITERATIONS and time.time() - started < LIMIT_S:
        stop = threading.Event()

        def writer(mine, seed):
            nonlocal writes
            r = random.Random(seed)
            while not stop.is_set():
                mid = r.choice(mine)
                op = r.choice(["share", "unshare", "rename"])
                state = dict(acked[mid])
                if op == "rename":
                    state["name"] = f"storm-{r.randrange(10**6)}"
                else:
                    state["shared"] = op == "share"
                inflight[mid] = state
                try:
                    if op == "rename":
                        call(base, "PATCH", f"/{project}/v1/models/{mid}", key, {"name": state["name"]}, timeout=5)
                    else:
                        call(base, "POST", f"/{project}/v1/models/{mid}/{op}", key, timeout=5)
                except Exception:
                    return  # the server died: this write is unacknowledged
                acked[mid] = state
                inflight.pop(mid, None)
                writes += 1

        threads = [threading.Thread(target=writer, args=(ids[k::4], rng.random())) for k in range(4)]
        for t in threads:
            t.start()
        time.sleep(rng.uniform(0.2, 1.2))
        server.kill()
        stop.set()
        for t in threads:
            t.join()
        server = Server(data, port, log)
        iterations += 1
        db = sqlite3.connect(os.path.join(data, "xero.db"))
        ok = db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        rows = {r[0]: {"shared": bool(r[1]), "name": r[2]} for r in db.execute("SELECT id, shared, name FROM models")}
        db.close()
        for mid in ids:
            if rows[mid] != acked[mid] and rows[mid] != inflight.get(mid):
                mismatches += 1
                print(f"lost write: {mid} db={rows[mid]} acked={acked[mid]}", flush=True)
        # A write in flight that did commit becomes the new acknowledged state.
        for mid in ids:
            acked[mid] = rows[mid]
        inflight.clear()
        catalog = call(base, "GET", "/v1/catalog/models?per_page=100&sort=name")
        listed = [(m["id"], m["name"]) for m in catalog["models"]]
        in_index = dict(listed)
        in_db = {mid: r["name"] for mid, r in rows.items() if r["shared"]}
        if not ok or in_index != in_db or catalog["total"] != len(in_db) or len(listed) != len(in_index):
            mismatches += 1
            print(f"iteration {iterations}: integrity={ok} index={len(in_index)} total={catalog['total']} db={len(in_db)}", flush=True)
            for mid in sorted(set(in_index) | set(in_db)):
                if mid not in in_db:
                    print(f"  {mid}: in the index as {in_index[mid]!r}, not shared in SQLite (name {rows[mid]['name']!r})", flush=True)
                elif mid not in in_index:
                    print(f"  {mid}: shared in SQLite as {in_db[mid]!r}, missing from the index", flush=True)
                elif in_index[mid] != in_db[mid]:
                    print(f"  {mid}: index says {in_index[mid]!r}, SQLite says {in_db[mid]!r}", flush=True)
            for mid in {m for m, _ in listed if sum(1 for x, _ in listed if x == m) > 1}:
                print(f"  {mid}: listed {sum(1 for x, _ in listed if x == mid)} times", flush=True)
    server.stop()
    # The start-up audit repairs a divergence before the server answers; count how often it had to.
    repairs = sum(1 for line in open(log) if "search index differed from the database" in line)
    print(f"T29 crash storm: {iterations} SIGKILLs, {writes} acknowledged writes, {mismatches} mismatches, "
          f"{repairs} start-up repairs, {time.time() - started:.0f} s")
    sys.exit(1 if mismatches else 0)


main()
