"""Bundle budgets (issue 15), loopback only, bounded in time:
- export and import of 10 000 models without files (budget <= 10 s each);
- a bundle with one 2 GiB file, imported while the target server runs: MiB/s (budget >= 200)
  and the server's RSS growth (budget <= 32 MiB), with the import process's peak RSS beside it.
Usage: python3 scripts/slow/bundles.py [MODELS] [FILE_MIB]"""
import os, shutil, subprocess, sys, tempfile, time
from common import Server, admin, call, free_port, BIN
from uploads import stream_upload

CHUNK = 1 << 20


def timed(*args):
    started = time.time()
    subprocess.run([BIN, *args], check=True, capture_output=True, text=True)
    return time.time() - started


def peak_rss_kib(*args):
    """Runs xeroctl and samples its VmHWM (peak RSS) just before it exits."""
    proc = subprocess.Popen([BIN, *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = 0
    while proc.poll() is None:
        try:
            for line in open(f"/proc/{proc.pid}/status"):
                if line.startswith("VmHWM"):
                    peak = max(peak, int(line.split()[1]))
        except OSError:
            pass
        time.sleep(0.02)
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr.read().decode())
    return peak


def metadata_only(work, models):
    source = os.path.join(work, "source")
    admin(source, "generate", "--models", str(models), "--projects", "10")
    key = os.path.join(work, "signer")
    subprocess.run([BIN, "admin", "keygen", "-o", key], check=True, capture_output=True)
    bundle = os.path.join(work, "meta.tar")
    export_s = timed("admin", "--data", source, "export", "-o", bundle, "--sign", key + ".key")
    target = os.path.join(work, "target")
    admin(target, "create-project", "--slug", "landing", "--name", "Landing")
    import_s = timed("admin", "--data", target, "import", bundle, "--trust", key + ".pub")
    again_s = timed("admin", "--data", target, "import", bundle, "--trust", key + ".pub")
    size = os.path.getsize(bundle) / 2**20
    print(f"{models} models, no files: export {export_s:.2f} s, import {import_s:.2f} s, "
          f"second import (all unchanged) {again_s:.2f} s; bundle {size:.1f} MiB (budget <= 10 s each)")


def with_file(work, mib):
    source = os.path.join(work, "big-source")
    project = admin(source, "create-project", "--slug", "big", "--name", "Big")
    key = admin(source, "create-key", "--project", project)
    server = Server(source, free_port(), os.path.join(work, "source.log"))
    model = call(server.base, "POST", f"/{project}/v1/models", key, {"name": "Big"})["id"]
    status, _ = stream_upload(server, project, key, model, mib * CHUNK)
    assert status == 200, status
    signer = os.path.join(work, "signer")
    bundle = os.path.join(work, "big.tar")
    export_s = timed("admin", "--data", source, "export", "-o", bundle, "--with-files", "--sign", signer + ".key")
    server.stop()
    shutil.rmtree(source)
    target = os.path.join(work, "big-target")
    admin(target, "create-project", "--slug", "landing", "--name", "Landing")
    server = Server(target, free_port(), os.path.join(work, "target.log"))
    before = server.rss_kib()
    # Cold cache for the bundle is not asked for here: the figure is the import's own work.
    started = time.time()
    peak = peak_rss_kib("admin", "--data", target, "import", bundle, "--trust", signer + ".pub")
    import_s = time.time() - started
    time.sleep(3)  # the server's periodic sync indexes the imported model
    after = server.rss_kib()
    server.stop()
    print(f"{mib} MiB file: export {export_s:.2f} s ({mib / export_s:.0f} MiB/s), import {import_s:.2f} s "
          f"({mib / import_s:.0f} MiB/s, budget >= 200); server RSS {before // 1024} -> {after // 1024} MiB "
          f"(growth {(after - before) / 1024:.1f} MiB, budget <= 32); import process peak RSS {peak / 1024:.1f} MiB")


def main():
    models = int(sys.argv[1]) if len(sys.argv) > 1 else 10000
    mib = int(sys.argv[2]) if len(sys.argv) > 2 else 2048
    work = tempfile.mkdtemp(prefix="xero-bundles-")
    try:
        metadata_only(work, models)
        with_file(work, mib)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
