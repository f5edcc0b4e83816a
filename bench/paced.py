#!/usr/bin/env python3
"""Paced load at a fixed rate, reporting latency percentiles.

Usage: bench/paced.py URL RATE SECONDS [KANNEL_TOKEN]   (e.g. http://127.0.0.1:18181 200 30)
Without a token: POST /api/v1/tickets. With one: GET /gateway/kannel/mo as Kannel pushes an MO.
Standard library only. Each worker thread keeps one keep-alive connection.
"""
import http.client, json, sys, threading, time, urllib.parse

url, rate, seconds = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
kannel_token = sys.argv[4] if len(sys.argv) > 4 else None
parsed = urllib.parse.urlparse(url)
workers = 32 if kannel_token else 16
run = str(int(time.time()))
latencies, errors = [], []
lock = threading.Lock()
start = time.monotonic() + 0.5
total = int(rate * seconds)

def worker(index):
    conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=10)
    for n in range(index, total, workers):
        due = start + n / rate
        delay = due - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        try:
            if kannel_token:
                query = urllib.parse.urlencode({"from": f"+62813{n:08d}", "to": "1708", "text": f"DISHUB lampu mati nomor {n}",
                                                "id": f"paced-{run}-{n}", "coding": "0", "token": kannel_token})
                conn.request("GET", "/gateway/kannel/mo?" + query)
            else:
                body = json.dumps({"category": "pengaduan", "text": f"Aduan berirama nomor {n}", "agency_code": "OPD001"})
                conn.request("POST", "/api/v1/tickets", body, {"Content-Type": "application/json"})
            response = conn.getresponse()
            response.read()
            ok = response.status == (200 if kannel_token else 201)
        except Exception as e:  # noqa: BLE001 - counted and reported
            ok = False
            conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=10)
        # Latency from the scheduled time, so a stalled server cannot hide queueing delay.
        elapsed = time.monotonic() - due
        with lock:
            (latencies if ok else errors).append(elapsed)

threads = [threading.Thread(target=worker, args=(i,)) for i in range(workers)]
for t in threads: t.start()
for t in threads: t.join()
latencies.sort()
def pct(p): return latencies[min(len(latencies) - 1, int(len(latencies) * p / 100))] * 1000 if latencies else float("nan")
wall = time.monotonic() - start
print(f"RESULT rate={rate:.0f}/s sent={total} ok={len(latencies)} errors={len(errors)} achieved={len(latencies)/wall:.0f}/s "
      f"p50_ms={pct(50):.2f} p95_ms={pct(95):.2f} p99_ms={pct(99):.2f} max_ms={latencies[-1]*1000 if latencies else 0:.2f}")
