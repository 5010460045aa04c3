#!/usr/bin/env python3
"""A forwarding HTTP proxy that adds a fixed latency to every request, to compare tools
against moto as if it answered over a real network (AWS answers in tens to hundreds of
milliseconds; moto on localhost in a few). Used by compare_pmapper.sh.

    latency_proxy.py LISTEN_PORT UPSTREAM_URL LATENCY_MS

Requests are served concurrently (one thread each), so a client that sends requests in
parallel pays the latency once per round, a sequential one once per request.
"""

import http.client
import sys
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "proxy-connection"}


def make_handler(upstream, delay):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def forward(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else None
            time.sleep(delay)
            connection = http.client.HTTPConnection(upstream.hostname, upstream.port, timeout=120)
            headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
            connection.request(self.command, self.path, body=body, headers=headers)
            response = connection.getresponse()
            data = response.read()
            self.send_response_only(response.status, response.reason)
            for key, value in response.getheaders():
                if key.lower() not in HOP_BY_HOP and key.lower() != "content-length":
                    self.send_header(key, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)
            connection.close()

        do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = forward

        def log_message(self, *args):
            pass

    return Handler


def main():
    port, upstream, latency_ms = int(sys.argv[1]), urllib.parse.urlparse(sys.argv[2]), float(sys.argv[3])
    server = ThreadingHTTPServer(("127.0.0.1", port), make_handler(upstream, latency_ms / 1000))
    server.daemon_threads = True
    server.serve_forever()


if __name__ == "__main__":
    main()
