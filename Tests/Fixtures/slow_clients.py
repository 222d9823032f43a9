#!/usr/bin/env python3
"""Half-sent connections against llm-serve, for the end-to-end tests.

  slow_clients.py PORT COUNT SECONDS SERVER_PID AGENT

Opens COUNT connections that each send half a request head and then nothing. For SECONDS,
a real client asks AGENT on a fresh connection every half second, and each answer is timed.
Prints one JSON object: the slowest answer (s), the answers that failed, how many of the
half-sent connections the server had closed by the end, and the most descriptors the server
held at once (from /proc/SERVER_PID/fd). Loopback only; it ends by itself.
"""
import http.client
import json
import os
import socket
import sys
import time

port, count, seconds, pid, agent = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), sys.argv[4], sys.argv[5]


def descriptors():
    try:
        return len(os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        return -1


slow = []
for _ in range(count):
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    s.sendall(b"POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: applic")
    slow.append(s)

body = json.dumps({"model": agent, "messages": [{"role": "user", "content": "still there?"}]})
slowest, failures, most = 0.0, [], descriptors()
end = time.monotonic() + seconds
while time.monotonic() < end:
    start = time.monotonic()
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        connection.request("POST", "/v1/chat/completions", body, {"Content-Type": "application/json"})
        reply = connection.getresponse()
        reply.read()
        connection.close()
        if reply.status != 200:
            failures.append(reply.status)
    except OSError as error:
        failures.append(repr(error))
    slowest = max(slowest, time.monotonic() - start)
    most = max(most, descriptors())
    time.sleep(0.5)

closed = 0
for s in slow:
    s.settimeout(0.2)
    try:
        while s.recv(4096):
            pass
        closed += 1
    except ConnectionResetError:
        closed += 1
    except OSError:
        pass
    s.close()
print(json.dumps({"slowest": slowest, "failures": failures, "closed": closed, "descriptors": most}))
