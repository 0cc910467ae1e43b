"""RELIABILITY T31: power loss, measured. The server runs on LazyFS, a FUSE file system that keeps
every write in its own cache until the file is fsynced and drops all of it on command
(`lazyfs::clear-cache`). Each cycle: writers register, share, rename and unshare models (every
2xx is an acknowledged write, with its time); at a random instant the power is cut: SIGKILL the
server, then, with it dead, drop every unsynced write and mount LazyFS anew (the reboot). Then:

  * the disk image (the backing directory, which holds only what was fsynced) passes
    `PRAGMA integrity_check`, read from a copy so nothing touches the mounted one;
  * every model in it is in a state the writers produced, and the acknowledged writes it lacks
    are a tail: none acknowledged before the start of the last completed fsync of `xero.db-wal`
    (the sync that makes WAL commits durable; seen with strace), none with a later write kept;
  * the server starts again on the same directory (listens, /readyz answers 200) and the
    catalog index equals the shared rows of the database (ids and names): the start-up audit
    or a rebuild repaired what the cut did to the index.

Some cycles stop writing a while before the cut (0.5-3 s of quiet: with `synchronous=NORMAL`
SQLite syncs the WAL only when it checkpoints, which the server does each second when there were
new writes, so a quiet server should have lost nothing after about a second); some cut the power
during start-up, before the server is ready. After the last cycle the server stops cleanly and
the power is cut once more: a clean stop must lose nothing.

The window in time: every lost write's age at its cut (cut minus acknowledgement) is counted;
one older than --window (2 s unless told; 0 turns the check off) fails the run. The report gives
the ages (p50, p99, max; how many lost writes were older than 1, 1.5 and 2 s, of how many
acknowledged that long before a cut) and the quiet cuts on their own.

Needs root (or the fuse group), /dev/fuse, fusermount3 and a LazyFS binary: LAZYFS_BIN or
--lazyfs, default ~/.cache/xero-tools/lazyfs/lazyfs, its libpcache beside it. Without one it says
SKIPPED and exits 0. strace, when present, records the fsyncs. A failed start counts as LazyFS's
only when strace saw it answer ENOENT to ftruncate on an open descriptor (no POSIX file system
does: it failed 1 start of about 450 on `xero.db-shm` in two runs), a copy of the disk image
serves from a plain file system and a start after a reboot serves; any other failure fails the
run. Loopback only, bounded by --cycles and --minutes. Usage: power_loss.py [--cycles 200] [--minutes 30] [--writers 2]
"""
import argparse, collections, os, random, re, select, shutil, signal, sqlite3, subprocess, sys
import tempfile, threading, time, urllib.error, urllib.request
from common import BIN, admin, call, free_port, percentile

LAZYFS = os.environ.get("LAZYFS_BIN") or os.path.expanduser("~/.cache/xero-tools/lazyfs/lazyfs")
POOL = 20  # models each writer works on at once: the catalog stays small enough to list whole

# A model's life: register, share, rename, unshare, rename, share, rename, unshare. Every state
# (name revision, shared) is distinct, so the state on disk says exactly which ops it kept.
STATES = [(0, False), (0, True), (1, True), (1, False), (2, False), (2, True), (3, True), (3, False)]
OPS = ["register", "share", "rename", "unshare", "rename", "share", "rename", "unshare"]


def model_name(writer, serial, rev):
    return f"Power-{writer}-{serial}-rev{rev}"


class LazyFS:
    """One LazyFS mount: `root` is the disk, `mnt` the file system the server writes to."""

    def __init__(self, binary, work, cache_size):
        self.root, self.mnt = os.path.join(work, "root"), os.path.join(work, "mnt")
        os.makedirs(self.root), os.makedirs(self.mnt)
        self.fifo, self.done_path = os.path.join(work, "faults.fifo"), os.path.join(work, "done.fifo")
        self.log, self.cfg, self.done = os.path.join(work, "lazyfs.log"), os.path.join(work, "lazyfs.toml"), None
        with open(self.cfg, "w") as f:
            f.write(f'[faults]\nfifo_path="{self.fifo}"\nfifo_path_completed="{self.done_path}"\n'
                    f'[cache]\napply_eviction=false\n[cache.simple]\ncustom_size="{cache_size}"\n'
                    f'blocks_per_page=1\n[filesystem]\nlog_all_operations=false\nlogfile=""\n')
        self.cmd = [binary, self.mnt, "--config-path", self.cfg, "-o", "allow_other", "-o", "modules=subdir",
                    "-o", f"subdir={self.root}", "-f"]
        self.env = dict(os.environ, LD_LIBRARY_PATH=os.pathsep.join(
            p for p in (os.path.dirname(os.path.abspath(binary)), os.environ.get("LD_LIBRARY_PATH")) if p))
        self.mount()

    def mount(self):
        self.proc = subprocess.Popen(self.cmd, stdout=open(self.log, "a"), stderr=subprocess.STDOUT, env=self.env)
        deadline = time.time() + 120  # it preallocates its whole cache first
        while not (os.path.exists(self.done_path) and os.path.ismount(self.mnt)):
            if self.proc.poll() is not None or time.time() > deadline:
                raise RuntimeError(f"LazyFS did not mount (see {self.log})")
            time.sleep(0.05)
        # LazyFS opens the completion FIFO for writing; holding the read end lets it do so.
        self.done = os.open(self.done_path, os.O_RDONLY | os.O_NONBLOCK)

    def clear_cache(self):
        """Drops every write not yet fsynced; returns once LazyFS says it is done."""
        fd = os.open(self.fifo, os.O_WRONLY)
        os.write(fd, b"lazyfs::clear-cache\n")
        os.close(fd)
        seen, deadline = b"", time.time() + 30
        while b"finished::clear-cache" not in seen:
            if time.time() > deadline:
                raise RuntimeError("LazyFS did not confirm clear-cache")
            if select.select([self.done], [], [], 1)[0]:
                try:
                    seen += os.read(self.done, 4096)
                except BlockingIOError:
                    pass

    def reboot(self):
        """What follows a power cut: a new mount, with nothing of the old one's memory."""
        self.stop()
        self.mount()

    def stop(self):
        if self.done is None:
            return
        subprocess.run(["fusermount3", "-u", self.mnt], check=False, capture_output=True)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.terminate()
            self.proc.wait()
        os.close(self.done)
        self.done = None


def last_error(log):
    lines = [line for line in open(log, errors="replace") if line.startswith("error:")]
    return lines[-1].strip() if lines else ""


def failed_calls(trace):
    """The failed mmap/ftruncate calls strace saw (the shared-memory file's set-up)."""
    if not os.path.exists(trace):
        return []
    return [" ".join(line.split()[2:]) for line in open(trace, errors="replace") if "= -1" in line][:2]


def lazyfs_fault(trace):
    """How often LazyFS answered ENOENT to ftruncate on an open descriptor (POSIX never does)."""
    if not os.path.exists(trace):
        return 0
    return sum(1 for line in open(trace, errors="replace") if line.split()[2:3] and
               line.split()[2].startswith("ftruncate(") and "= -1 ENOENT" in line)


def starts_on_plain_disk(disk, scratch):
    """Whether the disk image, copied onto an ordinary file system, serves: tells a fault of the
    image from one of the mount."""
    shutil.rmtree(scratch, ignore_errors=True)
    shutil.copytree(disk, scratch)
    try:
        Server(scratch, free_port(), os.path.join(os.path.dirname(scratch), "plain.log")).stop()
        return True
    except RuntimeError:
        return False
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


SYNC = re.compile(r"^(\d+)\s+([\d.]+)\s+(?:fsync|fdatasync)\(\d+<([^>]*)>\)\s+=\s+(-?\d+).*<([\d.]+)>$")
UNFINISHED = re.compile(r"^(\d+)\s+([\d.]+)\s+(?:fsync|fdatasync)\(\d+<([^>]*)>\s+<unfinished")
RESUMED = re.compile(r"^(\d+)\s+[\d.]+\s+<\.\.\. (?:fsync|fdatasync) resumed>\)\s+=\s+(-?\d+).*<([\d.]+)>$")


def completed_syncs(trace):
    """(start, end, path) of every fsync/fdatasync that returned 0, from an strace log."""
    out, pending = [], {}
    for line in open(trace, errors="replace"):
        if m := SYNC.match(line):
            if m[4] == "0":
                out.append((float(m[2]), float(m[2]) + float(m[5]), m[3]))
        elif m := UNFINISHED.match(line):
            pending[m[1]] = (float(m[2]), m[3])
        elif (m := RESUMED.match(line)) and m[1] in pending:
            start, path = pending.pop(m[1])
            if m[2] == "0":
                out.append((start, start + float(m[3]), path))
    return out


class Server:
    """`xeroctl serve` on loopback, under strace (fsyncs only) when it is there."""

    def __init__(self, data, port, log, trace=None, wait=True):
        self.base, self.trace, self.log = f"http://127.0.0.1:{port}", trace, log
        cmd = [BIN, "serve", "--data", data, "--bind", f"127.0.0.1:{port}"]
        if trace:
            cmd = ["strace", "-f", "-qq", "--seccomp-bpf", "-ttt", "-T", "-y", "-e", "signal=none",
                   "-e", "trace=fsync,fdatasync,mmap,ftruncate", "-o", trace, *cmd]
        self.started = time.time()
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=open(log, "a"))
        self.pid = self.proc.pid
        if trace:  # the server is strace's child (strace also forks short-lived probes)
            self.pid, deadline, exe = None, time.time() + 10, os.path.realpath(BIN)
            while self.pid is None and time.time() < deadline and self.proc.poll() is None:
                try:
                    children = open(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read().split()
                except OSError:
                    children = []
                for child in children:
                    try:
                        if os.readlink(f"/proc/{child}/exe") == exe:
                            self.pid = int(child)
                    except OSError:
                        pass
                time.sleep(0.002)
            if self.pid is None:
                raise RuntimeError("strace did not start the server")
        self.ready_s = None
        if wait:
            self.wait_ready()

    def wait_ready(self, limit=60):
        deadline = time.time() + limit
        while time.time() < deadline:
            try:
                urllib.request.urlopen(self.base + "/readyz", timeout=1)
                self.ready_s = time.time() - self.started
                return
            except Exception:
                if self.proc.poll() is not None:
                    raise RuntimeError(f"server exited with {self.proc.returncode}")
                time.sleep(0.02)
        raise RuntimeError(f"server not ready after {limit} s")

    def kill(self):
        """SIGKILL; returns once the process is gone (and strace, which reaps it, has exited)."""
        try:
            os.kill(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass  # it had exited by itself
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            status = open(f"/proc/{self.pid}/status").read() if os.path.exists(f"/proc/{self.pid}") else "gone"
            raise RuntimeError(f"pid {self.pid} survived SIGKILL for 30 s: {status[:400]}")
        while os.path.exists(f"/proc/{self.pid}"):  # a zombie of strace's, never for long
            time.sleep(0.005)

    def stop(self):
        os.kill(self.pid, signal.SIGTERM)
        self.proc.wait(timeout=60)


class Op:
    __slots__ = ("writer", "serial", "k", "model", "sent", "acked", "refused")

    def __init__(self, writer, serial, k, model):
        self.writer, self.serial, self.k, self.model = writer, serial, k, model
        self.sent, self.acked, self.refused = time.time(), None, None


def writer(w, base, project, key, active, serials, ops, stop, seed):
    """Advances this writer's models one op at a time until stopped or the server dies."""
    rng = random.Random(seed)
    while not stop.is_set():
        if len(active) < POOL and (not active or rng.random() < 0.4):
            serial = next(serials)
            op = Op(w, serial, 0, None)
            path, body = f"/{project}/v1/models", {"name": model_name(w, serial, 0)}
            method = "POST"
        else:
            mid = rng.choice(list(active))
            serial, k = active[mid][0], active[mid][1] + 1
            op = Op(w, serial, k, mid)
            rev, _ = STATES[k]
            if OPS[k] == "rename":
                method, path, body = "PATCH", f"/{project}/v1/models/{mid}", {"name": model_name(w, serial, rev)}
            else:
                method, path, body = "POST", f"/{project}/v1/models/{mid}/{OPS[k]}", None
        ops.append(op)
        op.sent = time.time()
        try:
            answer = call(base, method, path, key, body, timeout=10)
        except urllib.error.HTTPError as e:
            op.refused = e.code  # the server answered: not acknowledged, and it is a finding
            time.sleep(0.05)
            continue
        except Exception:
            return  # the server died: this op is in flight, kept or not
        op.acked = time.time()
        if op.k == 0:
            op.model = answer["id"]
            active[op.model] = [serial, 0]
        elif op.k == len(STATES) - 1:
            del active[op.model]
        else:
            active[op.model][1] = op.k


def read_image(root, scratch):
    """The database as the disk holds it: a copy of the backing files, checked and read."""
    shutil.rmtree(scratch, ignore_errors=True)
    os.makedirs(scratch)
    for name in ("xero.db", "xero.db-wal"):
        if os.path.exists(os.path.join(root, name)):
            shutil.copyfile(os.path.join(root, name), os.path.join(scratch, name))
    db = sqlite3.connect(os.path.join(scratch, "xero.db"))
    integrity = db.execute("PRAGMA integrity_check").fetchone()[0]
    rows = {r[0]: (r[1], bool(r[2])) for r in db.execute("SELECT id, name, shared FROM models")}
    db.close()
    return integrity, rows


def catalog(base):
    """Every card of the public catalog, {id: name}, and the total it reports."""
    found, page, total = {}, 1, None
    while True:
        answer = call(base, "GET", f"/v1/catalog/models?per_page=100&sort=name&page={page}")
        total = answer["total"]
        for m in answer["models"]:
            found[m["id"]] = m["name"]
        if not answer["models"] or len(found) >= total or page >= 100:
            return found, total
        page += 1


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cycles", type=int, default=200)
    ap.add_argument("--minutes", type=float, default=30)
    ap.add_argument("--writers", type=int, default=2)
    ap.add_argument("--seed", type=int, default=31)
    ap.add_argument("--lazyfs", default=LAZYFS)
    ap.add_argument("--cache-size", default="256mb", help="LazyFS's cache (it preallocates it)")
    ap.add_argument("--window", type=float, default=2.0,
                    help="seconds: a lost write acknowledged longer before its cut fails the run (0: no check)")
    ap.add_argument("--no-strace", action="store_true")
    ap.add_argument("--keep", action="store_true", help="keep the work directory")
    args = ap.parse_args()
    if not (os.path.exists(args.lazyfs) and os.path.exists("/dev/fuse") and shutil.which("fusermount3")):
        print(f"T31 power loss: SKIPPED (needs LazyFS at {args.lazyfs} or LAZYFS_BIN, /dev/fuse, fusermount3)")
        return 0
    use_strace = not args.no_strace and shutil.which("strace") is not None
    rng = random.Random(args.seed)
    work = tempfile.mkdtemp(prefix="xero_t31_")
    if "-o" in work.lower():  # LazyFS takes a --config-path containing "-o" for an option
        sys.exit(f"work directory {work} contains '-o': set TMPDIR elsewhere")
    fs = LazyFS(args.lazyfs, work, args.cache_size)
    data, disk = os.path.join(fs.mnt, "data"), os.path.join(fs.root, "data")
    scratch, log = os.path.join(work, "image"), os.path.join(work, "server.log")
    traces = [0]

    def traces_path():
        return os.path.join(work, f"fsyncs-{traces[0]}.txt")

    def trace():
        traces[0] += 1
        return os.path.join(work, f"fsyncs-{traces[0]}.txt") if use_strace else None

    def start(wait=True):
        return Server(data, port, log, trace(), wait)

    failures, artifacts, tally = [], [], collections.Counter()

    def start_with_retry(context):
        """A start; after a failed one, a reboot and one more. A failure is LazyFS's when the disk
        image serves from a plain file system and strace saw LazyFS's ENOENT."""
        for attempt in (1, 2):
            try:
                return start()
            except RuntimeError as e:
                tally["failed"] += 1
                plain = starts_on_plain_disk(disk, os.path.join(work, "plain"))
                tally["plain"] += plain
                why = (f"{context}: start {attempt} failed: {e}: "
                       + " | ".join([last_error(log)] + failed_calls(traces_path()))
                       + f" | the same disk image on a plain file system {'serves' if plain else 'does not serve either'}")
                (artifacts if plain and lazyfs_fault(traces_path()) else failures).append(why)
                print("FAILED START:", why, flush=True)
                if attempt == 1:
                    fs.reboot()
        failures.append(f"{context}: no start after two reboots")
        return None

    server = None
    try:
        project = admin(data, "create-project", "--slug", "power", "--name", "Power")
        key = admin(data, "create-key", "--project", project)
        port = free_port()
        # model id -> (writer, serial, index into STATES) as the disk last held it
        known = {}
        serials = [iter(range(10**9)) for _ in range(args.writers)]
        acked_total = refused_total = 0
        kinds, lost_per_cut, oldest_lost_ms, since_sync_ms = collections.Counter(), [], [], []
        # every lost write's age at its cut (s), by the kind of cut; acknowledged writes by age
        lost_ages, acked_ages = collections.defaultdict(list), collections.defaultdict(list)
        quiet_cuts = []  # (seconds from the last acknowledgement to the cut, writes lost)
        too_old = []  # lost writes older than --window: (cycle, kind, age, op)
        ready_s, repairs, rebuilds, replays, violations, holes = [], 0, collections.Counter(), 0, 0, 0
        in_flight_kept = in_flight_lost = protected = 0
        wal_sync_count = 0
        started = time.time()
        server = start_with_retry("the first start")
        fatal = server is None
        cycles = 0
        while cycles < args.cycles and time.time() - started < args.minutes * 60 and not fatal:
            cycles += 1
            kind = rng.choices(["writing", "quiet", "start-up"], [0.65, 0.25, 0.10])[0]
            kinds[kind] += 1
            ops, threads, stop = [[] for _ in range(args.writers)], [], threading.Event()
            if kind == "start-up":
                # Cut while the server starts (opening, replaying, auditing, maybe rebuilding).
                server.kill()
                server = start(wait=False)
                time.sleep(rng.uniform(0.0, 0.4))
                if server.proc.poll() is not None:
                    tally["failed"] += 1
                    server.proc.wait()
                    why = (f"cycle {cycles}: the restart after a SIGKILL (no power cut) exited by itself "
                           f"({server.proc.returncode}): " + " | ".join([last_error(log)] + failed_calls(traces_path())))
                    (artifacts if lazyfs_fault(traces_path()) else failures).append(why)
                    print("FAILED START:", why, flush=True)
            else:
                actives = [{mid: [s, k] for mid, (ww, s, k) in known.items() if ww == w and k < len(STATES) - 1}
                           for w in range(args.writers)]
                for w in range(args.writers):
                    t = threading.Thread(target=writer, args=(w, server.base, project, key, actives[w], serials[w],
                                                              ops[w], stop, rng.random()))
                    t.start()
                    threads.append(t)
                # Long enough, at times, for SQLite's own checkpoint (1 000 WAL pages) to come too.
                time.sleep(rng.uniform(0.2, 6.0) if kind == "writing" else rng.uniform(0.2, 4.0))
                if kind == "quiet":
                    stop.set()
                    [t.join() for t in threads]
                    time.sleep(rng.uniform(0.5, 3.0))  # the server syncs the index and the WAL each second
            cut = time.time()
            server.kill()  # the power goes: first the process, then everything it had not synced
            stop.set()
            [t.join() for t in threads]
            fs.clear_cache()
            syncs = completed_syncs(server.trace) if server.trace else []
            wal_syncs = [s for s in syncs if s[2].endswith("xero.db-wal") and s[1] <= cut]
            wal_sync_count += len(wal_syncs)
            last_sync = max((s[0] for s in wal_syncs), default=None)  # its start: it covers what came before
            if wal_syncs:
                since_sync_ms.append((cut - max(s[1] for s in wal_syncs)) * 1000)
            integrity, rows = read_image(disk, scratch)
            if integrity != "ok":
                failures.append(f"cycle {cycles}: integrity_check of the disk image says {integrity!r}")
                fatal = True

            # What the disk kept, model by model. Each writer's ops are sequential per model.
            all_ops = [op for w_ops in ops for op in w_ops if op.refused is None]
            refused_total += sum(1 for w_ops in ops for op in w_ops if op.refused is not None)
            acked_total += sum(1 for op in all_ops if op.acked)
            by_model = collections.defaultdict(list)
            for op in all_ops:
                by_model[op.model or ("new", op.writer, op.serial)].append(op)
            names = {model_name(w, s, 0): (w, s) for (_, w, s) in [k for k in by_model if isinstance(k, tuple)]}
            lost, kept = [], []
            new_known = {}
            for mid, row in rows.items():
                if mid in known:
                    w, s, before = known[mid]
                elif mid in by_model:  # registered this cycle
                    w, s, before = by_model[mid][0].writer, by_model[mid][0].serial, -1
                elif row[0] in names:  # registered in flight: the answer never came, the row did
                    (w, s), before = names[row[0]], -1
                    by_model[mid] = by_model.pop(("new", w, s))
                    for op in by_model[mid]:
                        op.model = mid
                else:
                    failures.append(f"cycle {cycles}: {mid} {row} on disk was never written")
                    fatal = True
                    continue
                state = (int(row[0].rsplit("rev", 1)[1]), row[1]) if row[0].startswith(f"Power-{w}-{s}-rev") else None
                j = STATES.index(state) if state in STATES else None
                mine = by_model.get(mid, [])
                reachable = max([before] + [op.k for op in mine])
                if j is None or j < before or j > reachable:
                    failures.append(f"cycle {cycles}: {mid} is {row} on disk; before the cut it was "
                                    f"{STATES[before] if before >= 0 else 'new'}, its ops reached {reachable}")
                    fatal = True
                    continue
                new_known[mid] = (w, s, j)
                for op in mine:
                    if op.k <= j:
                        kept.append(op)
                        if op.acked is None:
                            in_flight_kept += 1
                    elif op.acked:
                        lost.append(op)
                    else:
                        in_flight_lost += 1
            for mid, (w, s, before) in known.items():
                if mid not in rows:
                    failures.append(f"cycle {cycles}: {mid} ({model_name(w, s, STATES[before][0])}) was on disk "
                                    f"before the cut and is gone")
                    fatal = True
            for key_, mine in by_model.items():
                if isinstance(key_, tuple) or key_ not in rows:  # registrations the disk did not keep
                    for op in mine:
                        if op.acked:
                            lost.append(op)
                        else:
                            in_flight_lost += 1
            known = new_known
            lost_per_cut.append(len(lost))
            for op in all_ops:
                if op.acked:
                    acked_ages[kind].append(cut - op.acked)
            for op in lost:
                age = cut - op.acked
                lost_ages[kind].append(age)
                if args.window and age > args.window:
                    too_old.append((cycles, kind, age, op))
            if kind == "quiet":
                last_ack = max((op.acked for op in all_ops if op.acked), default=None)
                quiet_cuts.append((cut - last_ack if last_ack else None, len(lost)))
            if last_sync is not None:
                protected += sum(1 for op in all_ops if op.acked and op.acked < last_sync)
            if lost:
                oldest = min(op.acked for op in lost)
                oldest_lost_ms.append((cut - oldest) * 1000)
                early = [op for op in lost if last_sync is not None and op.acked < last_sync]
                violations += len(early)
                for op in early[:3]:
                    print(f"cycle {cycles}: lost a write acknowledged {(last_sync - op.acked) * 1000:.1f} ms before "
                          f"the last WAL fsync began: {OPS[op.k]} of {model_name(op.writer, op.serial, 0)}", flush=True)
                later = [op for op in kept if op.sent > oldest]
                holes += len(later)
                for op in later[:3]:
                    print(f"cycle {cycles}: kept {OPS[op.k]} of {model_name(op.writer, op.serial, 0)}, sent after a "
                          f"lost write was acknowledged", flush=True)

            fs.reboot()
            offset = os.path.getsize(log)
            server = start_with_retry(f"cycle {cycles}, after the cut")
            if server is None:
                fatal = True
                break
            ready_s.append(server.ready_s)
            fresh = open(log, errors="replace").read()[offset:]
            repairs += fresh.count("search index differed from the database; repaired")
            replays += fresh.count("search index caught up with the outbox")
            for m in re.finditer(r"rebuilding the search index from the database reason=(.*)", fresh):
                why = re.search(r'in file `"([^"]+)"`', m[1])
                rebuilds[f"unreadable {why[1]}" if why else re.sub(r"\x1b\[[0-9;]*m|\d+", "N", m[1])[:60]] += 1
            in_index, total = catalog(server.base)
            in_db = {mid: row[0] for mid, row in rows.items() if row[1]}
            if in_index != in_db or total != len(in_db):
                failures.append(f"cycle {cycles}: index {len(in_index)} cards (total {total}), database {len(in_db)} "
                                f"shared; missing {sorted(set(in_db) - set(in_index))[:3]}, extra "
                                f"{sorted(set(in_index) - set(in_db))[:3]}")
                fatal = True
            if cycles % 20 == 0:
                print(f"… {cycles} cuts, {acked_total} acknowledged writes, {sum(lost_per_cut)} lost, "
                      f"{time.time() - started:.0f} s", flush=True)

        # A clean stop syncs everything: a power cut right after it must lose nothing.
        clean_stop_lost = None
        if not fatal:
            server.stop()
            fs.clear_cache()
            integrity, rows = read_image(disk, scratch)
            clean_stop_lost = sum(1 for mid, (w, s, j) in known.items() if rows.get(mid) != (
                model_name(w, s, STATES[j][0]), STATES[j][1]))
            if integrity != "ok" or clean_stop_lost:
                failures.append(f"after the clean stop: integrity {integrity!r}, {clean_stop_lost} models changed")
        elif server is not None:
            server.kill()
        elapsed = time.time() - started
        cuts_losing = sum(1 for n in lost_per_cut if n)
        print(f"T31 power loss on LazyFS: {cycles} cuts ({kinds['writing']} while writing, {kinds['quiet']} after a "
              f"quiet spell, {kinds['start-up']} during start-up) in {elapsed:.0f} s, {args.writers} writers")
        print(f"  acknowledged writes {acked_total}, refused {refused_total}; models on disk {len(known)}")
        enoent = sum(lazyfs_fault(os.path.join(work, f"fsyncs-{n}.txt")) for n in range(1, traces[0] + 1)) \
            if use_strace else 0
        print(f"  starts that failed {tally['failed']}, {len(artifacts)} of them LazyFS's: it answered ENOENT to "
              f"ftruncate on an open descriptor, which no POSIX file system does (such answers in all: {enoent}; "
              f"{tally['plain']} failed starts served from a copy of the same disk image on a plain file system)")
        print(f"  ready after a cut "
              f"p50 {percentile(ready_s, 50):.2f} s, p99 {percentile(ready_s, 99):.2f} s, max {max(ready_s, default=0):.2f} s")
        print(f"  index: start-up audit repairs {repairs}, rebuilds {sum(rebuilds.values())} {dict(rebuilds)}, "
              f"outbox replays {replays}")
        print(f"  lost acknowledged writes {sum(lost_per_cut)} in {cuts_losing} of {cycles} cuts (per cut max "
              f"{max(lost_per_cut, default=0)}, p50 of losing cuts {percentile([n for n in lost_per_cut if n], 50)}); "
              f"oldest lost write acknowledged {max(oldest_lost_ms, default=0):.0f} ms before its cut")
        every_lost = sorted(a for ages in lost_ages.values() for a in ages)
        every_acked = [a for ages in acked_ages.values() for a in ages]
        print(f"  age of the lost writes at their cut: p50 {percentile(every_lost, 50) * 1000:.0f} ms, p99 "
              f"{percentile(every_lost, 99) * 1000:.0f} ms, max {max(every_lost, default=0) * 1000:.0f} ms; "
              + ", ".join(f"older than {t:g} s: {sum(1 for a in every_lost if a > t)} lost of "
                          f"{sum(1 for a in every_acked if a > t)} acknowledged" for t in (1.0, 1.5, 2.0)))
        for k in ("writing", "quiet"):
            ages = lost_ages[k]
            print(f"    {k} cuts: {len(ages)} lost, max age {max(ages, default=0) * 1000:.0f} ms, older than 1 s "
                  f"{sum(1 for a in ages if a > 1)}, older than 2 s {sum(1 for a in ages if a > 2)}")
        quiet_losing = [(q, n) for q, n in quiet_cuts if n]
        print(f"  quiet cuts: {len(quiet_cuts)}, {len(quiet_losing)} of them lost writes ({sum(n for _, n in quiet_losing)} "
              f"in all, at most {max((n for _, n in quiet_losing), default=0)} in one); quiet for "
              f"{min((q for q, _ in quiet_cuts if q is not None), default=0):.2f}-"
              f"{max((q for q, _ in quiet_cuts if q is not None), default=0):.2f} s after the last acknowledgement"
              + (f", the losing ones {min(q for q, _ in quiet_losing):.2f}-{max(q for q, _ in quiet_losing):.2f} s"
                 if quiet_losing and all(q is not None for q, _ in quiet_losing) else "")
              + f"; quiet more than 1.5 s: {sum(1 for q, _ in quiet_cuts if q and q > 1.5)} cuts, "
              f"{sum(n for q, n in quiet_cuts if q and q > 1.5)} lost")
        if args.window:
            print(f"  lost writes older than the window ({args.window:g} s): {len(too_old)}")
            for c, k, age, op in too_old[:5]:
                print(f"    cycle {c} ({k}): lost {OPS[op.k]} of {model_name(op.writer, op.serial, 0)} acknowledged "
                      f"{age * 1000:.0f} ms before the cut", flush=True)
        if use_strace:
            print(f"  writes acknowledged before a completed WAL fsync of their cycle began: {protected}, of "
                  f"them lost: {violations}; WAL fsyncs {wal_sync_count} (checkpoints and WAL headers)")
            print(f"  time from the last WAL fsync to the cut p50 {percentile(since_sync_ms, 50):.0f} ms, "
                  f"max {max(since_sync_ms, default=0):.0f} ms ({len(since_sync_ms)} cuts had one)")
        print(f"  kept a write sent after a lost one was acknowledged (a hole): {holes}; in flight at the cut: "
              f"{in_flight_kept} kept, {in_flight_lost} lost; clean stop then cut: {clean_stop_lost} models changed")
        for f in artifacts:
            print("LAZYFS FAULT:", f)
        for f in failures:
            print("FAILED:", f)
        fs.stop()
        if failures or too_old or args.keep:
            print(f"kept {work}: {disk} is the disk image (serve it directly: "
                  f"{BIN} serve --data {disk} --bind 127.0.0.1:{free_port()})")
        else:
            shutil.rmtree(work, ignore_errors=True)
        return 1 if failures or violations or holes or too_old else 0
    except BaseException:
        if server is not None and server.proc.poll() is None:
            os.kill(server.pid, signal.SIGKILL)
            server.proc.wait()
        fs.stop()
        raise


sys.exit(main())
