"""Uploads under stress, loopback only, bounded in time:
T23  a 2 GiB streamed upload: throughput and server RSS growth (budget <= 64 MiB);
T28  slow clients: (a) a slow request head, (b) a body trickling 1 byte/s, (c) 300 idle
     connections while a client searches;
T33  disk full: an upload into a 64 MiB tmpfs data directory (needs root for the mount)."""
import http.client, json, os, socket, subprocess, sys, tempfile, threading, time
from common import Server, admin, call, free_port, percentile, BIN

FIXTURE = os.path.join(os.path.dirname(__file__), "..", "..", "tests", "data", "gguf", "synthetic-llama-f32.gguf")
CHUNK = 1 << 20


def setup(data, extra=()):
    project = admin(data, "create-project", "--slug", "up", "--name", "Uploads")
    key = admin(data, "create-key", "--project", project)
    server = Server(data, free_port(), os.path.join(data, "server.log"), extra)
    model = call(server.base, "POST", f"/{project}/v1/models", key, {"name": "Big"})["id"]
    return server, project, key, model


def stream_upload(server, project, key, model, total):
    header = open(FIXTURE, "rb").read()
    conn = http.client.HTTPConnection("127.0.0.1", int(server.base.rsplit(":", 1)[1]), timeout=600)
    conn.putrequest("PUT", f"/{project}/v1/models/{model}/artifact")
    conn.putheader("Authorization", f"Bearer {key}")
    conn.putheader("Content-Length", str(total))
    conn.endheaders()
    conn.send(header)
    sent, zeros = len(header), bytes(CHUNK)
    while sent < total:
        n = min(CHUNK, total - sent)
        conn.send(zeros[:n])
        sent += n
    response = conn.getresponse()
    return response.status, response.read()


def t23_big_upload():
    data = tempfile.mkdtemp()
    server, project, key, model = setup(data)
    total = 2 << 30
    peak, stop = [server.rss_kib()], threading.Event()
    def sample():
        while not stop.is_set():
            peak.append(server.rss_kib())
            time.sleep(0.05)
    sampler = threading.Thread(target=sample)
    sampler.start()
    t0 = time.perf_counter()
    status, body = stream_upload(server, project, key, model, total)
    elapsed = time.perf_counter() - t0
    stop.set(); sampler.join()
    answer = json.loads(body)
    growth = (max(peak) - peak[0]) / 1024
    print(f"T23 2 GiB upload: HTTP {status}, {total / elapsed / 2**20:.0f} MiB/s ({elapsed:.1f} s), "
          f"RSS {peak[0] / 1024:.0f} -> peak {max(peak) / 1024:.0f} MiB (growth {growth:.1f} MiB), "
          f"sha256 {answer['model']['artifact']['sha256'][:12]}..., file params {answer['file']['parameter_count']}")
    server.stop()
    subprocess.run(["rm", "-rf", data])


def t28_slow_clients():
    data = tempfile.mkdtemp()
    admin(data, "generate", "--models", "5000", "--projects", "3")
    server, project, key, model = setup(data, ["--upload-idle-timeout", "5"])
    port = int(server.base.rsplit(":", 1)[1])
    # (a) a request head that never finishes
    s = socket.create_connection(("127.0.0.1", port))
    t0 = time.time()
    s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
    s.settimeout(30)
    first = s.recv(200)
    line = first.split(b"\r\n")[0].decode() or "closed"
    print(f"T28a slow head: answered {line} after {time.time() - t0:.1f} s")
    s.close()
    # (b) a body trickling 1 byte/s: the server's idle timeout is 5 s, so one byte per 6 s stalls
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(f"PUT /{project}/v1/models/{model}/artifact HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {key}\r\nContent-Length: 1000\r\n\r\n".encode())
    t0, answer = time.time(), b""
    s.settimeout(1)
    while time.time() - t0 < 40 and not answer:
        try:
            s.sendall(b"x")
            answer = s.recv(200)
        except socket.timeout:
            time.sleep(5)
        except OSError:
            break
    line = answer.split(b"\r\n")[0].decode() or "closed"
    print(f"T28b trickling body: {line} after {time.time() - t0:.1f} s")
    s.close()
    # (c) idle connections while searching
    def search(seconds, out):
        end = time.time() + seconds
        while time.time() < end:
            t = time.perf_counter()
            call(server.base, "GET", "/v1/catalog/models?q=instruct")
            out.append((time.perf_counter() - t) * 1000)
    baseline, during = [], []
    search(5, baseline)
    idle = []
    for _ in range(300):
        c = socket.create_connection(("127.0.0.1", port))
        c.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")  # never finished
        idle.append(c)
    search(5, during)
    for c in idle:
        c.close()
    print(f"T28c 300 idle connections: search p99 {percentile(baseline, 99):.1f} ms -> {percentile(during, 99):.1f} ms, {len(during)} searches")
    server.stop()
    subprocess.run(["rm", "-rf", data])


def t33_disk_full():
    for label, extra in [("with the default 1 GiB reserve", []), ("without a reserve (ENOSPC mid-stream)", ["--min-free-disk", "0"])]:
        mount = tempfile.mkdtemp()
        if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", mount], capture_output=True).returncode != 0:
            print("T33 disk full: skipped (cannot mount a tmpfs here)")
            return
        try:
            server, project, key, model = setup(mount, extra)
            status, body = stream_upload(server, project, key, model, 100 << 20)
            tmp = os.path.join(mount, "tmp")
            leftovers = os.listdir(tmp) if os.path.isdir(tmp) else []
            code = json.loads(body)["error"]["code"] if status >= 400 else "-"
            small = stream_upload(server, project, key, model, 1 << 20)[0]
            listed = call(server.base, "GET", f"/{project}/v1/models", key)["total"]
            print(f"T33 {label}: 100 MiB upload into a 64 MiB disk -> HTTP {status} {code}, temp files left {len(leftovers)}; "
                  f"then a 1 MiB upload -> HTTP {small}; model list works ({listed} model)")
            server.stop()
        finally:
            subprocess.run(["umount", mount])


if __name__ == "__main__":
    for case in sys.argv[1:] or ["t23", "t28", "t33"]:
        globals()[f"{case}_" + {"t23": "big_upload", "t28": "slow_clients", "t33": "disk_full"}[case]]()
