#!/usr/bin/env python3
"""MO load for bench/kill9.sh: sends Kannel MO requests with unique ids from many threads until
SECONDS pass, writing every id that got a 200 to ACKED_FILE (one per line). Requests that fail
(the server was killed) are retried by the same thread with the same id, as Kannel would, until
the deadline; then the thread stops.

Usage: bench/kill9_client.py URL TOKEN SECONDS ACKED_FILE
"""
import http.client, sys, threading, time, urllib.parse

url, token, seconds, acked_path = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4]
parsed = urllib.parse.urlparse(url)
deadline = time.monotonic() + seconds
lock = threading.Lock()
acked = open(acked_path, "w")
run = str(int(time.time()))
counts = {"ok": 0, "errors": 0}

def worker(index):
    conn = None
    n = 0
    while time.monotonic() < deadline:
        message_id = f"k9-{run}-{index}-{n}"
        query = urllib.parse.urlencode({"from": f"+62814{index:03d}{n:05d}", "to": "1708",
                                        "text": f"DISHUB tiang listrik miring {index}/{n}",
                                        "id": message_id, "coding": "0", "token": token})
        try:
            if conn is None:
                conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=5)
            conn.request("GET", "/gateway/kannel/mo?" + query)
            response = conn.getresponse()
            response.read()
            if response.status == 200:
                with lock:
                    acked.write(message_id + "\n")
                    counts["ok"] += 1
                n += 1
                continue
        except Exception:  # noqa: BLE001 - the server is down: retry the same id
            conn = None
        with lock:
            counts["errors"] += 1
        time.sleep(0.05)

threads = [threading.Thread(target=worker, args=(i,)) for i in range(16)]
for t in threads: t.start()
for t in threads: t.join()
acked.close()
print(f"client: acknowledged={counts['ok']} failed_attempts={counts['errors']}")
