#!/usr/bin/env python3
"""Serves the files of --root on a free loopback port, for a browser in the tests.

  static_pages.py --port 0 --root DIR

Prints "PORT n" once it listens, as the fake servers do.
"""
import argparse
import functools
import http.server

parser = argparse.ArgumentParser()
parser.add_argument("--port", type=int, default=0)
parser.add_argument("--root", required=True)
args = parser.parse_args()
handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=args.root)
server = http.server.ThreadingHTTPServer(("127.0.0.1", args.port), handler)
print(f"PORT {server.server_address[1]}", flush=True)
server.serve_forever()
