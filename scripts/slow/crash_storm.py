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
                print(f"lost write: {mid} db={rows[mid]} acked={acked[mid]}")
        # A write in flight that did commit becomes the new acknowledged state.
        for mid in ids:
            acked[mid] = rows[mid]
        inflight.clear()
        catalog = call(base, "GET", "/v1/catalog/models?per_page=100&sort=name")
        in_index = {m["id"]: m["name"] for m in catalog["models"]}
        in_db = {mid: r["name"] for mid, r in rows.items() if r["shared"]}
        if not ok or in_index != in_db or catalog["total"] != len(in_db):
            mismatches += 1
            print(f"iteration {iterations}: integrity={ok} index={len(in_index)} db={len(in_db)}")
    server.stop()
    print(f"T29 crash storm: {iterations} SIGKILLs, {writes} acknowledged writes, {mismatches} mismatches, {time.time() - started:.0f} s")
    sys.exit(1 if mismatches else 0)


main()
