#!/usr/bin/env python3
"""A fake OpenAI-compatible server for llmkit's end-to-end tests and benchmarks.

Listens on 127.0.0.1 only. Prints "PORT <n>" on stdout once ready. Behaviour is chosen
by the request's model name (or a marker in the last user message), so one server serves
every scenario:

  model "tool-call"      a reply with one tool call (finish_reason tool_calls)
  model "structured"     content is JSON {"answer": 4}; "structured-bad": content is not JSON
  model "reasoning"      content plus reasoning_content and reasoning token counts
  model "unknown-model"  404 model_not_found, as OpenAI words it
  model "context"        400 context_length_exceeded
  model "unauthorized"   401 invalid_api_key
  model "rate-limited"   429 with retry-after: 0
  model "server-error"   500; "flaky": 500 on the first request for each prompt, then 200
  model "not-json"       200 with an HTML body, streamed or not
  model "bad-model-400"  400 "Invalid model name", as LiteLLM words an unknown model
  model "number-content" a reply whose content is the number 42
  model "big-error"      500 with a 100 MB body; "big-reply": 200 with a 100 MB JSON reply
  model "big-event"      streamed: one SSE event of 40 MB
  model "hang"           accepts the request and never answers
  model "ignores-stream" answers a streaming request with one whole JSON reply
  model "json-object-only" rejects response_format json_schema as llama-cpp-python does (a 500
                         carrying a pydantic validation error); with json_object + schema it
                         answers {"answer": 4}
  model "slow"           answers after 3 s
  model "echo-auth"      echoes the Authorization header it received in its reply, as a
                         hostile server would; streamed, the key is split across two
                         deltas and across two network writes
  prompt containing FAIL 500
  --delay-ms N           every reply waits N ms (benchmarks)
  --require-key K        401 unless Authorization is "Bearer K"

Streaming ("stream": true) answers in SSE, chunked as the scenario says:
  default                "Echo: <text>" a word per event; a usage chunk if include_usage
  model "tool-call"      two parallel calls, argument fragments split mid-string
  model "reasoning"      reasoning_content deltas, then content
  model "no-usage"       ignores include_usage, as llama-cpp-python does
  model "same-index"     two calls both at index 0 with different ids (an Ollama quirk)
  model "mid-error"      some text, then data: {"error":…}
  model "legacy-error"   some text, then a llama.cpp-style `error:` field
  model "cut"            some text, then the connection closes in the middle of an event
  model "stall"          some text, then silence for 30 s
  model "slow-stream"    a word every 200 ms
  model "bytewise"       the whole stream one byte per write, CRLF line ends
  model "bench-stream-N" N tiny content events as fast as possible, then [DONE]
  model "first-byte"     one content event, then 200 ms of silence, then the rest;
                         GET /_first_byte gives time.monotonic() when that event was written

GET /_redirect answers 302 to http://localhost:<port>/v1/models (another host name).
GET /_requests returns every request body received so far (tests assert on them).
"""
import argparse
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ARGS = None
FIRST_BYTE = [0.0]
RECEIVED = []
SEEN_FLAKY = set()
LOCK = threading.Lock()


def error_body(message, type_, code=None, param=None):
    return {"error": {"message": message, "type": type_, "param": param, "code": code}}


def last_user_text(body):
    for message in reversed(body.get("messages", [])):
        if message.get("role") == "user":
            content = message.get("content")
            if isinstance(content, str):
                return content
            if isinstance(content, list):
                return " ".join(p.get("text", "") for p in content if isinstance(p, dict))
    return ""


def completion(body, message, finish_reason="stop", usage=None):
    return {
        "id": "chatcmpl-fake1",
        "object": "chat.completion",
        "created": 1760000000,
        "model": body.get("model", "fake"),
        "choices": [{"index": 0, "message": message, "logprobs": None, "finish_reason": finish_reason}],
        "usage": usage
        or {
            "prompt_tokens": 12,
            "completion_tokens": 5,
            "total_tokens": 17,
            "prompt_tokens_details": {"cached_tokens": 4},
            "completion_tokens_details": {"reasoning_tokens": 0},
        },
        "system_fingerprint": "fp_fake",
    }


def chunk(body, delta=None, finish=None, usage=None, choices=True):
    payload = {"id": "chatcmpl-fake1", "object": "chat.completion.chunk", "created": 1760000000,
               "model": body.get("model", "fake")}
    payload["choices"] = [{"index": 0, "delta": delta or {}, "finish_reason": finish}] if choices else []
    if usage is not None:
        payload["usage"] = usage
    return "data: " + json.dumps(payload) + "\n\n"


STREAM_USAGE = {"prompt_tokens": 12, "completion_tokens": 4, "total_tokens": 16,
                "prompt_tokens_details": {"cached_tokens": 2}}


def stream_events(body):
    """The SSE text of a streamed reply, as a list of writes."""
    model = body.get("model", "")
    text = last_user_text(body)
    wants_usage = (body.get("stream_options") or {}).get("include_usage") and model != "no-usage"
    events = [chunk(body, {"role": "assistant", "content": ""})]
    if model == "tool-call":
        events += [
            chunk(body, {"tool_calls": [{"index": 0, "id": "call_1", "type": "function",
                                         "function": {"name": "get_weather", "arguments": ""}}]}),
            chunk(body, {"tool_calls": [{"index": 0, "function": {"arguments": "{\"ci"}}]}),
            chunk(body, {"tool_calls": [{"index": 1, "id": "call_2", "type": "function",
                                         "function": {"name": "get_time", "arguments": "{\"zone\": \"Eu"}}]}),
            chunk(body, {"tool_calls": [{"index": 0, "function": {"arguments": "ty\": \"Par"}}]}),
            chunk(body, {"tool_calls": [{"index": 1, "function": {"arguments": "rope/Paris\"}"}}]}),
            chunk(body, {"tool_calls": [{"index": 0, "function": {"arguments": "is\"}"}}]}),
            chunk(body, {"tool_calls": [{"index": 2, "id": "call_3", "type": "function",
                                         "function": {"name": "now", "arguments": ""}}]}),
            chunk(body, {}, "tool_calls"),
        ]
    elif model == "same-index":
        events += [
            chunk(body, {"tool_calls": [{"index": 0, "id": "call_a", "type": "function",
                                         "function": {"name": "f", "arguments": "{\"n\":1}"}}]}),
            chunk(body, {"tool_calls": [{"index": 0, "id": "call_b", "type": "function",
                                         "function": {"name": "f", "arguments": "{\"n\":2}"}}]}),
            chunk(body, {}, "tool_calls"),
        ]
    else:
        if model == "reasoning":
            events += [chunk(body, {"reasoning_content": "Two plus "}), chunk(body, {"reasoning_content": "two."})]
        words = ("Echo: " + text).split(" ")
        pieces = [w + " " for w in words[:-1]] + [words[-1]]
        events += [chunk(body, {"content": p}) for p in pieces]
        if model == "mid-error":
            return events[:3] + ['data: {"error":{"message":"the model crashed","type":"server_error","code":500}}\n\n'], False
        if model == "legacy-error":
            return events[:3] + ['error: {"code":500,"message":"slot unavailable"}\n\n'], False
        if model == "cut":
            return events[:3] + ['data: {"id":"chatcmpl-fake1","choices":[{"index":0,"delta":{"content":"lo'], False
        if model == "stall":
            return events[:3] + [("sleep", 30)], False
        events.append(chunk(body, {}, "stop"))
    if wants_usage:
        events.append(chunk(body, usage=STREAM_USAGE, choices=False))
    events.append("data: [DONE]\n\n")
    if model == "slow-stream":
        slowed = []
        for e in events:
            slowed += [e, ("sleep", 0.2)]
        return slowed, True
    if model == "bytewise":
        raw = "".join(events).replace("\n", "\r\n").encode()
        return [raw[i:i + 1] for i in range(len(raw))], True
    return events, True


def bench_stream(body, count):
    head = chunk(body, {"role": "assistant", "content": ""})
    piece = chunk(body, {"content": "x"})
    yield head.encode()
    block = (piece * 1000).encode()
    for _ in range(count // 1000):
        yield block
    yield (piece * (count % 1000)).encode()
    yield (chunk(body, {}, "stop") + "data: [DONE]\n\n").encode()


def respond(body, headers):
    """Returns (status, headers, body-bytes) for one chat completion request."""
    model = body.get("model", "")
    text = last_user_text(body)
    if ARGS.require_key and headers.get("Authorization") != "Bearer " + ARGS.require_key:
        return 401, {}, error_body("Incorrect API key provided: " + str(headers.get("Authorization", ""))[7:], "invalid_request_error", "invalid_api_key")
    if model == "unauthorized":
        return 401, {}, error_body("Incorrect API key provided.", "invalid_request_error", "invalid_api_key")
    if model == "unknown-model":
        return 404, {}, error_body("The model `unknown-model` does not exist or you do not have access to it.", "invalid_request_error", "model_not_found")
    if model == "context":
        return 400, {}, error_body(
            "This model's maximum context length is 8192 tokens. However, your messages resulted in 9000 tokens.",
            "invalid_request_error", "context_length_exceeded", "messages")
    if model == "rate-limited":
        return 429, {"retry-after": "0"}, error_body(
            "Rate limit reached for fake on tokens per min (TPM): Limit 10, Used 10, Requested 5.", "tokens", "rate_limit_exceeded")
    if model == "server-error" or "FAIL" in text:
        return 500, {}, error_body("The server had an error while processing your request.", "server_error")
    if model == "flaky":
        with LOCK:
            first = text not in SEEN_FLAKY
            SEEN_FLAKY.add(text)
        if first:
            return 503, {"retry-after-ms": "10"}, error_body("overloaded, try again", "server_error")
    if model == "slow":
        time.sleep(3)
    if model == "hang":
        time.sleep(3600)
    if model == "bad-model-400":
        return 400, {}, error_body("Invalid model name passed in model=bad-model-400. Call `/v1/models` to view available models",
                                   "invalid_request_error", "400")
    if model == "number-content":
        return 200, {}, completion(body, {"role": "assistant", "content": 42})
    if model == "not-json":
        return 200, {"Content-Type": "text/html"}, b"<html><body>Welcome to nginx!</body></html>"
    if model == "tool-call":
        call = {"id": "call_1", "type": "function",
                "function": {"name": "get_weather", "arguments": "{\"city\":\"Paris\"}"}}
        return 200, {}, completion(body, {"role": "assistant", "content": None, "tool_calls": [call]}, "tool_calls")
    if model == "echo-auth":
        return 200, {}, completion(body, {"role": "assistant", "content": "you sent " + str(headers.get("Authorization"))})
    if model == "json-object-only":
        kind = (body.get("response_format") or {}).get("type")
        if kind == "json_schema":
            return 500, {}, error_body("1 validation error for CreateChatCompletionRequest\nresponse_format.type\n  Input should be 'text' or 'json_object' [type=literal_error, input_value='json_schema', input_type=str]", "internal_server_error")
        return 200, {}, completion(body, {"role": "assistant", "content": "{\"answer\": 4}"})
    if model == "structured":
        return 200, {}, completion(body, {"role": "assistant", "content": "{\"answer\": 4}"})
    if model == "structured-bad":
        return 200, {}, completion(body, {"role": "assistant", "content": "The answer is 4."})
    if model == "reasoning":
        usage = {"prompt_tokens": 30, "completion_tokens": 50, "total_tokens": 80,
                 "completion_tokens_details": {"reasoning_tokens": 40}}
        return 200, {}, completion(body, {"role": "assistant", "content": "4", "reasoning_content": "2+2 is 4"}, "stop", usage)
    return 200, {}, completion(body, {"role": "assistant", "content": "Echo: " + text})


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes; without TCP_NODELAY a kept-alive connection
    # waits ~40 ms for the client's delayed ACK. Real servers (uvicorn, llama-server) set it.
    disable_nagle_algorithm = True

    def log_message(self, *args):
        pass

    def send_json(self, status, payload, extra=None):
        data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        self.send_response(status)
        headers = {"Content-Type": "application/json"}
        headers.update(extra or {})
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.path == "/_first_byte":
            self.send_json(200, {"monotonic": FIRST_BYTE[0]})
        elif self.path == "/_requests":
            with LOCK:
                self.send_json(200, RECEIVED)
        elif self.path == "/_redirect":
            self.send_json(302, {}, {"Location": "http://localhost:%d/v1/models" % self.server.server_address[1]})
        elif self.path.endswith("/models"):
            self.send_json(200, {"object": "list", "data": [{"id": "fake", "object": "model", "owned_by": "llmkit"}]})
        else:
            self.send_json(404, error_body("File Not Found", "not_found_error"))

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        raw = self.rfile.read(length)
        try:
            body = json.loads(raw)
        except ValueError:
            self.send_json(400, error_body("request body is not JSON", "invalid_request_error"))
            return
        with LOCK:
            RECEIVED.append({"path": self.path, "headers": {k: v for k, v in self.headers.items()}, "body": body})
        if not self.path.endswith("/chat/completions"):
            self.send_json(404, error_body("File Not Found", "not_found_error"))
            return
        if ARGS.delay_ms:
            time.sleep(ARGS.delay_ms / 1000)
        status, headers, payload = respond(body, self.headers)
        if status == 200 and body.get("stream") and body.get("model") not in ("ignores-stream", "not-json"):
            self.send_stream(body)
            return
        if body.get("model") in ("big-error", "big-reply"):
            self.send_big(500 if body.get("model") == "big-error" else 200, 100 << 20)
            return
        self.send_json(status, payload, headers)

    def send_big(self, status, size):
        """A body of `size` bytes, written in pieces so the server itself stays small."""
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(size))
        self.end_headers()
        head = b'{"choices":[{"message":{"role":"assistant","content":"'
        tail = b'"}}]}'
        block = b"x" * (1 << 20)
        self.wfile.write(head)
        left = size - len(head) - len(tail)
        try:
            while left > 0:
                self.wfile.write(block[:min(left, len(block))])
                left -= len(block)
            self.wfile.write(tail)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def send_stream(self, body):
        model = body.get("model", "")
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        if model == "big-event":
            try:
                self.wfile.write(b'data: {"choices":[{"index":0,"delta":{"content":"')
                for _ in range(40):
                    self.wfile.write(b"x" * (1 << 20))
                self.wfile.write(b'"}}]}\n\n')
            except (BrokenPipeError, ConnectionResetError):
                pass
            return
        if model.startswith("bench-stream-"):
            for block in bench_stream(body, int(model.rsplit("-", 1)[1])):
                self.wfile.write(block)
            return
        if model == "first-byte":
            self.wfile.write(chunk(body, {"role": "assistant", "content": ""}).encode())
            self.wfile.flush()
            time.sleep(0.05)
            FIRST_BYTE[0] = time.monotonic()
            self.wfile.write(chunk(body, {"content": "x"}).encode())
            self.wfile.flush()
            time.sleep(0.2)
            self.wfile.write((chunk(body, {}, "stop") + "data: [DONE]\n\n").encode())
            return
        if model == "echo-auth":
            key = str(self.headers.get("Authorization"))
            half = len(key) // 2
            first = chunk(body, {"content": "you sent " + key[:half]})
            second = chunk(body, {"content": key[half:]}) + chunk(body, {"content": " (echoed)"}, "stop") + "data: [DONE]\n\n"
            cut = first.index(key[3:half]) if half > 3 else len(first) // 2
            for piece in (first[:cut], first[cut:], second):  # three writes: the key spans all of them
                self.wfile.write(piece.encode())
                self.wfile.flush()
                time.sleep(0.02)
            return
        writes, _ = stream_events(body)
        for item in writes:
            if isinstance(item, tuple):
                time.sleep(item[1])
                continue
            self.wfile.write(item if isinstance(item, bytes) else item.encode())
            self.wfile.flush()


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128


def main():
    global ARGS
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--delay-ms", type=int, default=0)
    parser.add_argument("--require-key")
    ARGS = parser.parse_args()
    server = Server(("127.0.0.1", ARGS.port), Handler)
    print("PORT", server.server_address[1], flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
