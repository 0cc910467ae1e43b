"""Shared helpers for the slow tests: the release binary, a server on loopback, a tiny client."""
import json, os, signal, socket, subprocess, tempfile, time, urllib.request, urllib.error

BIN = os.environ.get("XERO_BIN") or os.path.join(os.path.dirname(__file__), "..", "..", "target", "release", "xeroctl")


def admin(data, *args):
    return subprocess.run([BIN, "admin", "--data", data, *args], check=True, capture_output=True, text=True).stdout.strip()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, data, port, log, extra=()):
        self.base = f"http://127.0.0.1:{port}"
        self.proc = subprocess.Popen([BIN, "serve", "--data", data, "--bind", f"127.0.0.1:{port}", *extra],
                                     stdout=subprocess.DEVNULL, stderr=open(log, "a"))
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                # Ready, not just live: /readyz answers 503 until the index is reconciled.
                urllib.request.urlopen(self.base + "/readyz", timeout=1)
                return
            except Exception:
                if self.proc.poll() is not None:
                    raise RuntimeError(f"server exited with {self.proc.returncode}")
                time.sleep(0.05)
        raise RuntimeError("server not ready")

    def kill(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self):
        self.proc.terminate()
        self.proc.wait()

    def rss_kib(self):
        for line in open(f"/proc/{self.proc.pid}/status"):
            if line.startswith("VmRSS"):
                return int(line.split()[1])
        return 0


def call(base, method, path, key=None, body=None, timeout=10):
    req = urllib.request.Request(base + path, method=method, data=None if body is None else json.dumps(body).encode())
    if key:
        req.add_header("Authorization", f"Bearer {key}")
    with urllib.request.urlopen(req, timeout=timeout) as r:
        raw = r.read()
        return json.loads(raw) if raw else None


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p / 100))] if values else 0.0
