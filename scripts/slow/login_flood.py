"""RELIABILITY T18: 200 concurrent wrong-password logins while another client searches.
Reports server RSS growth, search p99 against a baseline, and how the logins were answered."""
import collections, http.cookiejar, os, re, subprocess, sys, tempfile, threading, time, urllib.parse, urllib.request
from common import Server, admin, call, free_port, percentile, BIN


def searcher(base, seconds, out):
    end = time.time() + seconds
    while time.time() < end:
        t0 = time.perf_counter()
        call(base, "GET", "/v1/catalog/models?q=instruct&license=apache-2.0")
        out.append((time.perf_counter() - t0) * 1000)


def attempt(base, statuses):
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(base + "/login", timeout=30).read().decode()
    token = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    body = urllib.parse.urlencode({"username": "victim", "password": "wrong guess", "csrf": token}).encode()
    try:
        opener.open(urllib.request.Request(base + "/login", data=body, method="POST"), timeout=30)
        statuses["2xx/3xx"] += 1
    except urllib.error.HTTPError as e:
        statuses[e.code] += 1


def main():
    data = tempfile.mkdtemp()
    admin(data, "generate", "--models", "20000", "--projects", "5")
    subprocess.run([BIN, "admin", "--data", data, "create-user", "victim"], input="the real password\n", text=True, check=True)
    server = Server(data, free_port(), os.path.join(data, "server.log"))
    base = server.base
    baseline = []
    searcher(base, 5, baseline)
    rss_before = server.rss_kib()
    during, statuses = [], collections.Counter()
    s = threading.Thread(target=searcher, args=(base, 10, during))
    s.start()
    floods = [threading.Thread(target=attempt, args=(base, statuses)) for _ in range(200)]
    started = time.time()
    [t.start() for t in floods]
    peak = rss_before
    while any(t.is_alive() for t in floods):
        peak = max(peak, server.rss_kib())
        time.sleep(0.02)
    flood_s = time.time() - started
    s.join()
    print(f"T18 login flood: 200 concurrent wrong logins in {flood_s:.1f} s answered {dict(statuses)}; "
          f"RSS {rss_before // 1024} MiB before, peak {peak // 1024} MiB (+{(peak - rss_before) // 1024} MiB, budget 256); "
          f"search p99 {percentile(baseline, 99):.1f} ms baseline, {percentile(during, 99):.1f} ms during")
    server.stop()


main()
