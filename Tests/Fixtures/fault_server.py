#!/usr/bin/env python3
"""A fault-injecting OpenAI-compatible server for llmkit's fault-injection tests.

  fault_server.py --port 0 --script '["reset:40", "status:429:retry-after=1", "ok"]'
                  [--dead-after N] [--delay-ms N]

Listens on 127.0.0.1 only; prints "PORT <n>" on stdout once ready. Raw sockets, not
http.server, so it can send partial, malformed and close-delimited replies, stall, and
reset connections (RST, via SO_LINGER {1,0}). Keep-alive, Connection: close, chunked
request bodies and Expect: 100-continue are handled.

Every API request (anything but the endpoints below; normally POST /v1/chat/completions)
takes the next step of --script, numbered globally in arrival order; once the script is
exhausted every request gets "ok". Steps:

  ok                 the normal reply: "Echo: <last user text>" as a chat.completion with
                     Content-Length, or streamed ("stream": true) as chunked SSE: the role,
                     a word per event, finish_reason stop, a usage chunk if
                     stream_options.include_usage, then [DONE]
  close              read the request, close (FIN) without a byte
  reset:N            the first N bytes of the normal reply (Content-Length framing), then RST
  stall-headers:S    read the request, silence for S seconds, close
  stall-body:S       status line, headers (true Content-Length), half the body, S s, close
  stall-event:S      streamed: SSE headers, the role event and one content event, half of the
                     next data: line, S s, close (not streamed: as stall-body)
  drip:MS            the whole normal reply one byte per write, MS ms apart
  status:CODE[:H]    an OpenAI error body with that status; H = "Name=value;Name=value" extra
                     headers, where the value DATE+S is an IMF-fixdate S s from now (rounded
                     up to a whole second); "status:429:quota" is insufficient_quota
  truncate-sse:N     streamed: the role event and N content events, then FIN (no terminating
                     chunk, no [DONE]); not streamed: as close
  not-json           200 text/html "<html><body>502 Bad Gateway</body></html>"
  bad-utf8           200, content "Echo: caf\\xe9 ok" with a raw 0xE9 byte (streamed too)
  big:MB             200 application/json, a valid reply whose content is MB MiB of "a"
  redirect           307 to http://localhost:<port>/v1/chat/completions, empty body
  http10             "HTTP/1.0 200 OK", Connection: close, the normal body close-delimited
  hang               read the request, never answer (the socket is held up to 300 s)

Endpoints that take no step:
  GET /_log          every API request so far, in order: {n, t (time.monotonic() at arrival),
                     method, path, headers (lowercased names), body (JSON or null), fault,
                     dead}; GET /health is logged too, with n null and fault "health"
  GET /_now          {"t": time.monotonic()}
  POST /_die         dead mode now; answers {"dead": true}
  GET /health        {"status": "ok"}
  GET /v1/models     one model, "fault"

--delay-ms N   every ok reply waits N ms first.
--dead-after N dead mode once the N-th API request has arrived. Dead mode is a crashed
               backend behind a port that still accepts: every reply still in flight (the
               N-th request's included) is reset instead of sent, and every later request
               but /_log, /_now and /_die is read, logged with "dead": true (fault "dead"),
               and reset.
"""
import argparse
import email.utils
import json
import math
import socket
import struct
import sys
import threading
import time
from http import HTTPStatus

ARGS = None
SCRIPT = []
PORT = [0]
LOCK = threading.Lock()
LOG = []
COUNTS = {"requests": 0, "steps": 0}
DEAD = threading.Event()
BAD_BYTE = "<<0xE9>>"   # stands for the raw byte 0xE9 until a reply is encoded
BIG = "<<BIG>>"


class Dead(Exception):
    """Raised inside a handler once dead mode applies to it: its connection is reset."""


class Conn:
    """One accepted socket: buffered reads, guarded writes and waits, FIN or RST."""

    def __init__(self, sock):
        self.sock = sock
        self.rfile = sock.makefile("rb")
        self.guarded = False   # True while answering a request that dead mode cuts off
        self.closed = False

    def send(self, data):
        if self.guarded and DEAD.is_set():
            raise Dead
        self.sock.sendall(data)

    def pause(self, seconds):
        if not self.guarded:
            time.sleep(seconds)
        elif DEAD.wait(seconds):
            raise Dead

    def close(self):
        """A clean close: FIN."""
        self._end(False)

    def reset(self):
        """An abortive close: RST."""
        self._end(True)

    def _end(self, abort):
        if self.closed:
            return
        self.closed = True
        try:
            if abort:
                self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            else:
                self.sock.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        self.rfile.close()
        self.sock.close()


class Request:
    def __init__(self, method, path, version, headers, raw, t):
        self.method, self.path, self.version, self.headers, self.t = method, path, version, headers, t
        try:
            self.body = json.loads(raw) if raw else None
        except ValueError:
            self.body = None
        tokens = headers.get("connection", "").lower()
        self.keep_alive = "keep-alive" in tokens if version == "HTTP/1.0" else "close" not in tokens
        self.connection = "keep-alive" if self.keep_alive else "close"
        body = self.body if isinstance(self.body, dict) else {}
        self.stream = bool(body.get("stream"))
        self.model = body.get("model", "fault")
        self.usage = bool((body.get("stream_options") or {}).get("include_usage"))


def read_request(conn):
    """The next request on the connection, or None at end of stream."""
    rfile = conn.rfile
    line = rfile.readline(65537)
    while line in (b"\r\n", b"\n"):
        line = rfile.readline(65537)
    if not line:
        return None
    t = time.monotonic()
    method, path, version = line.decode("latin-1").split()
    headers = {}
    while True:
        header = rfile.readline(65537)
        if header in (b"\r\n", b"\n", b""):
            break
        name, _, value = header.decode("latin-1").partition(":")
        name, value = name.strip().lower(), value.strip()
        headers[name] = headers[name] + ", " + value if name in headers else value
    if headers.get("expect", "").lower() == "100-continue":
        conn.sock.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
    return Request(method, path, version, headers, read_body(rfile, headers), t)


def read_body(rfile, headers):
    if "chunked" in headers.get("transfer-encoding", "").lower():
        parts = []
        while True:
            size = int(rfile.readline().split(b";")[0].strip() or b"0", 16)
            if size == 0:
                break
            parts.append(rfile.read(size))
            rfile.readline()
        while rfile.readline() not in (b"\r\n", b"\n", b""):   # trailers
            pass
        return b"".join(parts)
    return rfile.read(int(headers.get("content-length") or 0))


# ---- reply building ----

def encode(payload):
    return json.dumps(payload).encode().replace(BAD_BYTE.encode(), b"\xe9")


def head(status, headers, version="HTTP/1.1"):
    try:
        reason = HTTPStatus(status).phrase
    except ValueError:
        reason = {529: "Site Overloaded"}.get(status, "Unknown")
    lines = ["%s %d %s" % (version, status, reason)] + ["%s: %s" % h for h in headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def whole(req, status, body, ctype="application/json", extra=()):
    headers = ([("Content-Type", ctype)] if ctype else []) + list(extra)
    headers += [("Content-Length", len(body)), ("Connection", req.connection)]
    return head(status, headers) + body


def frame(data):
    """One chunk of a chunked body."""
    return b"%x\r\n%s\r\n" % (len(data), data)


def last_user_text(body):
    for message in reversed((body or {}).get("messages", []) if isinstance(body, dict) else []):
        if isinstance(message, dict) and message.get("role") == "user":
            content = message.get("content")
            if isinstance(content, str):
                return content
            if isinstance(content, list):
                return " ".join(p.get("text", "") for p in content if isinstance(p, dict))
    return ""


def echo_text(req):
    return "Echo: " + last_user_text(req.body)


def completion(req, n, content):
    return {"id": "chatcmpl-fault-%d" % n, "object": "chat.completion", "created": 1760000000,
            "model": req.model,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content},
                         "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 5, "completion_tokens": 2, "total_tokens": 7}}


def sse_events(req, n, text):
    """(the SSE events of a streamed reply as bytes, the number of content events)."""
    def event(choices, usage=None):
        payload = {"id": "chatcmpl-fault-%d" % n, "object": "chat.completion.chunk",
                   "created": 1760000000, "model": req.model, "choices": choices}
        if usage:
            payload["usage"] = usage
        return b"data: " + encode(payload) + b"\n\n"

    def delta(d, finish=None):
        return event([{"index": 0, "delta": d, "finish_reason": finish}])

    words = text.split(" ")
    pieces = [w + " " for w in words[:-1]] + [words[-1]]
    events = [delta({"role": "assistant", "content": ""})] + [delta({"content": p}) for p in pieces]
    events.append(delta({}, "stop"))
    if req.usage:
        events.append(event([], {"prompt_tokens": 5, "completion_tokens": len(pieces),
                                 "total_tokens": 5 + len(pieces)}))
    return events + [b"data: [DONE]\n\n"], len(pieces)


def reply_head(req, ctype, framing, length=0):
    """framing: "chunked", "length" (Content-Length) or "close" (HTTP/1.0, close-delimited)."""
    headers = [("Content-Type", ctype)]
    if framing == "close":
        return head(200, headers + [("Connection", "close")], "HTTP/1.0")
    headers.append(("Transfer-Encoding", "chunked") if framing == "chunked" else ("Content-Length", length))
    return head(200, headers + [("Connection", req.connection)])


def reply_parts(req, n, framing="chunked", text=None):
    """The normal reply as a list of writes, the head first. Only streams are chunked."""
    text = echo_text(req) if text is None else text
    if req.stream:
        body, ctype = sse_events(req, n, text)[0], "text/event-stream"
    else:
        body, ctype = [encode(completion(req, n, text))], "application/json"
        framing = "length" if framing == "chunked" else framing
    if framing == "chunked":
        return [reply_head(req, ctype, framing)] + [frame(e) for e in body] + [b"0\r\n\r\n"]
    return [reply_head(req, ctype, framing, sum(map(len, body)))] + body


def http_date(seconds_from_now):
    return email.utils.formatdate(math.ceil(time.time() + seconds_from_now), usegmt=True)


# ---- script steps: each returns True when the connection may serve another request ----

def step_ok(conn, req, n, arg, text=None):
    if ARGS.delay_ms and text is None:
        conn.pause(ARGS.delay_ms / 1000)
    for part in reply_parts(req, n, text=text):
        conn.send(part)
    return True


def step_close(conn, req, n, arg):
    conn.close()
    return False


def step_reset(conn, req, n, arg):
    conn.send(b"".join(reply_parts(req, n, "length"))[:int(arg)])
    time.sleep(0.05)   # let the bytes reach the client before the RST
    conn.reset()
    return False


def step_stall_headers(conn, req, n, arg):
    conn.pause(float(arg))
    conn.close()
    return False


def step_stall_body(conn, req, n, arg):
    parts = reply_parts(req, n, "length")
    body = b"".join(parts[1:])
    conn.send(parts[0] + body[:len(body) // 2])
    conn.pause(float(arg))
    conn.close()
    return False


def step_stall_event(conn, req, n, arg):
    if not req.stream:
        return step_stall_body(conn, req, n, arg)
    events, _ = sse_events(req, n, echo_text(req))
    line = events[2].rstrip(b"\n")
    conn.send(reply_head(req, "text/event-stream", "chunked") + frame(events[0]) + frame(events[1])
              + frame(line[:len(line) // 2]))
    conn.pause(float(arg))
    conn.close()
    return False


def step_drip(conn, req, n, arg):
    data = b"".join(reply_parts(req, n))
    for i in range(len(data)):
        if i:
            conn.pause(float(arg) / 1000)
        conn.send(data[i:i + 1])
    return True


def step_status(conn, req, n, arg):
    code, _, extra = arg.partition(":")
    code, headers = int(code), []
    if extra == "quota":
        error = {"message": "You exceeded your current quota, please check your plan and billing details.",
                 "type": "insufficient_quota", "code": "insufficient_quota"}
    else:
        kind = "rate_limit_exceeded" if code == 429 else "server_error"
        error = {"message": "fault %d" % code, "type": kind, "code": kind if code == 429 else None}
        for item in filter(None, extra.split(";")):
            name, _, value = item.partition("=")
            headers.append((name, http_date(float(value[5:])) if value.startswith("DATE+") else value))
    conn.send(whole(req, code, encode({"error": error}), extra=headers))
    return True


def step_truncate_sse(conn, req, n, arg):
    if req.stream:
        events, count = sse_events(req, n, echo_text(req))
        conn.send(reply_head(req, "text/event-stream", "chunked") + b"".join(frame(e) for e in events[:1 + min(int(arg), count)]))
    conn.close()
    return False


def step_not_json(conn, req, n, arg):
    conn.send(whole(req, 200, b"<html><body>502 Bad Gateway</body></html>", "text/html"))
    return True


def step_bad_utf8(conn, req, n, arg):
    return step_ok(conn, req, n, arg, text="Echo: caf" + BAD_BYTE + " ok")


def step_big(conn, req, n, arg):
    size = int(float(arg) * (1 << 20))
    top, tail = encode(completion(req, n, BIG)).split(BIG.encode())
    conn.send(reply_head(req, "application/json", "length", len(top) + size + len(tail)) + top)
    block = b"a" * 65536
    for start in range(0, size, len(block)):   # a client hanging up ends this quietly (OSError)
        conn.send(block[:min(len(block), size - start)])
    conn.send(tail)
    return True


def step_redirect(conn, req, n, arg):
    location = "http://localhost:%d/v1/chat/completions" % PORT[0]
    conn.send(whole(req, 307, b"", None, [("Location", location)]))
    return True


def step_http10(conn, req, n, arg):
    for part in reply_parts(req, n, "close"):
        conn.send(part)
    conn.close()
    return False


def step_hang(conn, req, n, arg):
    conn.pause(300)
    conn.close()
    return False


STEPS = {name[5:].replace("_", "-"): f for name, f in list(globals().items()) if name.startswith("step_")}


# ---- routing ----

def log_request(req, n, fault):
    entry = {"n": n, "t": req.t, "method": req.method, "path": req.path, "headers": req.headers,
             "body": req.body, "fault": fault, "dead": False}
    LOG.append(entry)
    return entry


def take_step(req):
    """Numbers an API request, picks its step and logs it; may start dead mode."""
    with LOCK:
        COUNTS["requests"] += 1
        n = COUNTS["requests"]
        if DEAD.is_set():
            step = "dead"
        else:
            step = SCRIPT[COUNTS["steps"]] if COUNTS["steps"] < len(SCRIPT) else "ok"
            COUNTS["steps"] += 1
        if ARGS.dead_after and n >= ARGS.dead_after:
            DEAD.set()
        return n, step, log_request(req, n, step)


def send_json(conn, req, payload, status=200):
    conn.send(whole(req, status, json.dumps(payload).encode()))
    return True


def route(conn, req):
    """Answers one request; raises Dead when dead mode cuts it off."""
    path = req.path.split("?")[0]
    if path == "/_log":
        with LOCK:
            return send_json(conn, req, LOG)
    if path == "/_now":
        return send_json(conn, req, {"t": time.monotonic()})
    if path == "/_die":
        DEAD.set()
        return send_json(conn, req, {"dead": True})
    conn.guarded = True
    if path == "/health":
        with LOCK:
            conn.entry = log_request(req, None, "health")
        return send_json(conn, req, {"status": "ok"})
    if path == "/v1/models":
        return send_json(conn, req, {"object": "list", "data": [{"id": "fault", "object": "model"}]})
    n, step, conn.entry = take_step(req)
    if DEAD.is_set():
        raise Dead
    name, _, arg = step.partition(":")
    return STEPS[name](conn, req, n, arg)


def serve_connection(sock):
    conn = Conn(sock)
    try:
        while True:
            req = read_request(conn)
            if req is None:
                break
            conn.guarded, conn.entry = False, None
            try:
                keep = route(conn, req)
            except Dead:
                if conn.entry is not None:
                    with LOCK:
                        conn.entry["dead"] = True
                conn.reset()
                return
            if not keep or not req.keep_alive:
                break
    except (OSError, ValueError):
        pass   # the client hung up, or sent something that is not HTTP
    finally:
        conn.close()


def main():
    global ARGS, SCRIPT
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--script", default="[]", help="a JSON array of steps")
    parser.add_argument("--dead-after", type=int, default=0)
    parser.add_argument("--delay-ms", type=int, default=0)
    ARGS = parser.parse_args()
    SCRIPT = json.loads(ARGS.script)
    unknown = [s for s in SCRIPT if not isinstance(s, str) or s.partition(":")[0] not in STEPS]
    if unknown:
        parser.error("unknown steps: %s" % unknown)
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", ARGS.port))
    server.listen(128)
    PORT[0] = server.getsockname()[1]
    print("PORT", PORT[0], flush=True)
    try:
        while True:
            sock, _ = server.accept()
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            threading.Thread(target=serve_connection, args=(sock,), daemon=True).start()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
