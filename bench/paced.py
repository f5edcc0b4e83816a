#!/usr/bin/env python3
"""Paced load: POST /api/v1/tickets at a fixed rate and report latency percentiles.

Usage: bench/paced.py URL RATE SECONDS   (e.g. http://127.0.0.1:18181 200 30)
Standard library only. Each request opens a keep-alive connection per worker thread.
"""
import http.client, json, sys, threading, time, urllib.parse

url, rate, seconds = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
parsed = urllib.parse.urlparse(url)
workers = 16
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
        body = json.dumps({"category": "pengaduan", "text": f"Aduan berirama nomor {n}", "agency_code": "OPD001"})
        try:
            conn.request("POST", "/api/v1/tickets", body, {"Content-Type": "application/json"})
            response = conn.getresponse()
            response.read()
            ok = response.status == 201
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
