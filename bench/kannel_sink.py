#!/usr/bin/env python3
"""A stand-in for Kannel's sendsms interface for bench/kill9.sh: accepts every MT with
"0: Accepted for delivery" and appends the outbox id (from the dlr-url's ref) to LOG_FILE.

Usage: bench/kannel_sink.py PORT LOG_FILE
"""
import http.server, sys, threading, urllib.parse

port, log_path = int(sys.argv[1]), sys.argv[2]
log = open(log_path, "a", buffering=1)
lock = threading.Lock()

class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body leave in two writes: without TCP_NODELAY each reply waits for the
    # client's delayed ACK (40 ms), which would make the sink, not Balai, the bottleneck.
    disable_nagle_algorithm = True

    def do_GET(self):
        query = urllib.parse.parse_qs(urllib.parse.urlparse(self.path).query)
        dlr = urllib.parse.urlparse(query.get("dlr-url", [""])[0])
        ref = urllib.parse.parse_qs(dlr.query).get("ref", ["?"])[0]
        with lock:
            log.write(ref + "\n")
        body = b"0: Accepted for delivery"
        self.send_response(202)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass

class Server(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        pass  # Balai was killed mid-request: expected in bench/kill9.sh


Server(("127.0.0.1", port), Handler).serve_forever()
