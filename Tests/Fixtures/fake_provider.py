#!/usr/bin/env python3
"""A fake LLM server speaking four wire formats, for llmkit's provider conformance tests.

Listens on 127.0.0.1 only. `fake_provider.py --port 0 [--key KEY]` prints "PORT <n>" on stdout once
listening. The formats follow /work/shared/reference/providers.md sections 1-4.

Routes
  POST /v1/chat/completions          OpenAI Chat Completions; SSE when "stream": true (usage chunk only
                                     with stream_options.include_usage; ends with data: [DONE])
  POST /v1/messages                  Anthropic Messages; named SSE events when "stream": true
                                     (message_start ... message_stop, one ping, no [DONE])
  POST /v1beta/models/{m}:generateContent
  POST /v1beta/models/{m}:streamGenerateContent?alt=sse
                                     Gemini; SSE data-only events with CRLF line ends, no [DONE]
                                     (without alt=sse: one JSON array of responses, as the real API)
  POST /api/chat                     Ollama native; NDJSON, "stream" defaults to true
  GET  /_requests                    every API request so far: [{"path", "headers", "body"}]
  GET  /v1/models, /v1beta/models    the models lists (OpenAI and Anthropic by their auth header, Gemini),
                                     401 (Gemini: 400 API_KEY_INVALID) without the right key

--key KEY  each request must carry KEY: OpenAI `Authorization: Bearer KEY`; Anthropic `x-api-key: KEY`
           and an `anthropic-version` header; Gemini `x-goog-api-key: KEY`; Ollama: not checked.
           Otherwise the format's "unauthorized" error below. Gemini always rejects `key=` in the URL
           (400 INVALID_ARGUMENT): the key belongs in the header.

The scenario is the model name (Gemini: from the URL path). Each scenario has one logical behaviour,
rendered in every format, whole or streamed. Streams split text word by word; OpenAI and Anthropic
split tool-call argument JSON mid-token into 4 fragments ({"ci / ty": "Par / is" / }); Gemini and
Ollama deliver each call whole.

  plain              "Hello from the fake server."; usage 10 in / 6 out. Also any unknown model name.
  system             "system=<S>": the system prompt found where the format keeps it, or "system=none"
  multi-turn         "turns=<N> last=<T>": N = entries in messages/contents (no system messages),
                     T = text of the last user turn that has text
  tool-call          one call get_weather {"city": "Paris"}, no text (ids: OpenAI call_1, Anthropic
                     toolu_01, Ollama call_k3x9a1b2); once the conversation ends with the tool result:
                     "Weather: <R>"
  parallel-tools     get_weather {"city": "Paris"} + get_time {"zone": "Europe/Paris"} (call_1/call_2,
                     toolu_01/toolu_02, call_aaaa1111/call_bbbb2222); then "Results: <R1> | <R2>"
  reasoning          reasoning "The user wants a greeting." then "Hello."; 10 in / 11 out, 5 reasoning
                     (Anthropic thinking signature "sig-abc123")
  reasoning-tool     reasoning "I should call get_weather." then the tool-call call (Anthropic signature
                     "sig-tool-789", Gemini thoughtSignature "c2lnLWdlbWluaQ=="); the follow-up must echo
                     the Anthropic thinking block / the Gemini thoughtSignature unchanged, else 400;
                     then "Weather: <R>"
  cached-usage       "Cached."; 100 in of which 80 cache reads (Anthropic: 10 + 10 cache writes + 80
                     cache reads), 7 out; Ollama durations give 70 tokens/s
  structured         '{"answer": 4}' when the request asks natively for JSON with a schema, else "not json"
  context            400 context overflow
  unauthorized       401 (Gemini: 400 INVALID_ARGUMENT, API_KEY_INVALID)
  unknown-model      404
  rate-limited       429 with retry-after: 0 (Gemini: RetryInfo retryDelay "0s" and no header)
  rate-limited-once  rate-limited on the first request of each format, plain afterwards
  server-error       500
  unavailable        503 (Anthropic: 529 overloaded_error)
  overloaded-once    unavailable on the first request of each format, plain afterwards
  mid-stream-error   streamed: "Partial " and "answer", then the format's in-stream error, then the
                     connection closes; not streamed: plain
Errors come before any output, streamed or not, in the format's own body shape.

Validation, as the real APIs do it (400 in the format's error shape):
  OpenAI     every tool message answers a call of the preceding assistant message; every call is answered
  Anthropic  max_tokens required; roles user/assistant only, alternating, starting with user; tool_result
             blocks answer the tool_use blocks of the assistant turn just before, all of them; tools are
             {name, description, input_schema} (no "parameters", no type "function" wrapper)
  Gemini     roles user/model only; functionResponse.response is an object and names a functionCall of
             the model turn just before; functionDeclarations[].parameters holds none of
             additionalProperties, $schema, $ref, $defs, default, const, nor a list-valued type
"""
import argparse
import json
import re
import sys
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

ARGS = None
LOCK = threading.Lock()
RECEIVED = []   # every API request, for GET /_requests
SEEN = set()    # (format, scenario) pairs that already had their one failure

# ------------------------------------------------------------------------------------------------
# The scenario table: one logical reply per scenario, shared by all four formats.

PLAIN_TEXT = "Hello from the fake server."
WEATHER = ("get_weather", {"city": "Paris"})
TIME = ("get_time", {"zone": "Europe/Paris"})
TOOL_THINKING = "I should call get_weather."
SIGNATURES = {
    "reasoning": {"anthropic": "sig-abc123"},
    "reasoning-tool": {"anthropic": "sig-tool-789", "gemini": "c2lnLWdlbWluaQ=="},
}
USAGE = {"input": 10, "output": 6, "reasoning": 0, "cache_read": 0, "cache_write": 0}
REASONING_USAGE = dict(USAGE, output=11, reasoning=5)
CACHED_USAGE = dict(USAGE, input=100, cache_read=80, cache_write=10, output=7)
ERRORS = ("context", "unauthorized", "unknown-model", "rate-limited", "server-error", "unavailable")
ONCE = {"rate-limited-once": "rate-limited", "overloaded-once": "unavailable"}


@dataclass
class Reply:
    """What the model says, independent of the wire format."""
    text: str = ""
    reasoning: str = None
    calls: list = field(default_factory=list)       # [(name, arguments dict)]
    usage: dict = field(default_factory=lambda: dict(USAGE))
    signatures: dict = field(default_factory=dict)  # format name -> reasoning signature
    check_echo: bool = False                        # the request must echo the reasoning signature
    mid_error: bool = False                         # streamed: fail after "Partial answer"

    @property
    def finish(self):
        return "tool_calls" if self.calls else "stop"


@dataclass
class Conv:
    """What a format's parser found in the request."""
    system: str = None
    turns: int = 0
    last_user: str = ""
    results: list = None     # tool results of the final turn, in call order; None if it has none
    structured: bool = False
    echo_ok: bool = True     # the reasoning-tool thinking/signature came back unchanged


class Invalid(Exception):
    """A request the real API would refuse with a 400."""


def plan(fmt, scenario, conv):
    """The Reply for this scenario and conversation, or the name of an error scenario."""
    if scenario in ERRORS:
        return scenario
    if scenario in ONCE:
        with LOCK:
            first = (fmt, scenario) not in SEEN
            SEEN.add((fmt, scenario))
        if first:
            return ONCE[scenario]
    if scenario == "system":
        return Reply("system=" + ("none" if conv.system is None else conv.system))
    if scenario == "multi-turn":
        return Reply("turns=%d last=%s" % (conv.turns, conv.last_user))
    if scenario == "tool-call":
        if conv.results is None:
            return Reply(calls=[WEATHER])
        return Reply("Weather: " + " | ".join(conv.results))
    if scenario == "parallel-tools":
        if conv.results is None:
            return Reply(calls=[WEATHER, TIME])
        return Reply("Results: " + " | ".join(conv.results))
    if scenario == "reasoning":
        return Reply("Hello.", "The user wants a greeting.", usage=dict(REASONING_USAGE),
                     signatures=SIGNATURES["reasoning"])
    if scenario == "reasoning-tool":
        if conv.results is None:
            return Reply(reasoning=TOOL_THINKING, calls=[WEATHER], usage=dict(REASONING_USAGE),
                         signatures=SIGNATURES["reasoning-tool"])
        return Reply("Weather: " + " | ".join(conv.results), check_echo=True)
    if scenario == "cached-usage":
        return Reply("Cached.", usage=dict(CACHED_USAGE))
    if scenario == "structured":
        return Reply('{"answer": 4}' if conv.structured else "not json")
    return Reply(PLAIN_TEXT, mid_error=scenario == "mid-stream-error")


PARTIAL = Reply("Partial answer")  # what a mid-stream-error stream says before failing


# ------------------------------------------------------------------------------------------------
# Helpers shared by the formats.

def words(text):
    """Text split into word deltas that concatenate back to it."""
    if not text:
        return []
    pieces = text.split(" ")
    return [p for p in [w + " " for w in pieces[:-1]] + [pieces[-1]] if p]


def fragments(s):
    """Argument JSON cut mid-token into 4 pieces: '{"ci' 'ty": "Par' 'is"' '}'."""
    if len(s) < 9:
        return [s]
    cuts = [0, 4, len(s) - 4, len(s) - 1, len(s)]
    return [s[a:b] for a, b in zip(cuts, cuts[1:])]


def text_of(content):
    """Text of a string content or of a list of text parts/blocks (joined with newlines)."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(p["text"] for p in content if isinstance(p, dict)
                         and p.get("type", "text") == "text" and isinstance(p.get("text"), str))
    return json.dumps(content)


def compact(obj):
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


def as_list(value):
    return value if isinstance(value, list) else []


def as_dict(value):
    return value if isinstance(value, dict) else {}


def in_call_order(calls, results):
    """Result texts ordered as the calls they answer. calls: [(id, name)]; results: [(id, name, text)].
    A result matches by id when both have one, else by name."""
    ordered, left = [], list(results)
    for call_id, name in calls:
        for r in left:
            if (call_id and r[0] and call_id == r[0]) or ((not call_id or not r[0]) and name == r[1]):
                ordered.append(r[2])
                left.remove(r)
                break
    return ordered + [r[2] for r in left]


# ------------------------------------------------------------------------------------------------
# OpenAI Chat Completions (providers.md section 1)

class OpenAI:
    name = "openai"
    json_type = "application/json"
    stream_type = "text/event-stream; charset=utf-8"
    headers = {"x-request-id": "req_fake01"}
    dumps = staticmethod(compact)

    @staticmethod
    def body(message, type_, code=None, param=None):
        return {"error": {"message": message, "type": type_, "param": param, "code": code}}

    def auth_error(self, headers):
        if headers.get("authorization") != "Bearer " + ARGS.key:
            return self.error("unauthorized", "")
        return None

    def invalid(self, message):
        return 400, {}, self.body(message, "invalid_request_error", None, "messages")

    def error(self, kind, model):
        if kind == "context":
            return 400, {}, self.body(
                "This model's maximum context length is 128000 tokens. However, your messages resulted in "
                "208656 tokens. Please reduce the length of the messages.",
                "invalid_request_error", "context_length_exceeded", "messages")
        if kind == "unauthorized":
            return 401, {}, self.body("Incorrect API key provided. You can find your API key at "
                                      "https://platform.openai.com/account/api-keys.",
                                      "invalid_request_error", "invalid_api_key")
        if kind == "unknown-model":
            return 404, {}, self.body("The model `%s` does not exist or you do not have access to it." % model,
                                      "invalid_request_error", "model_not_found")
        if kind == "rate-limited":
            return 429, {"retry-after": "0"}, self.body(
                "Rate limit reached for %s on requests per min (RPM): Limit 3, Used 3, Requested 1. "
                "Please try again in 0s." % model, "requests", "rate_limit_exceeded")
        if kind == "server-error":
            return 500, {}, self.body("The server had an error while processing your request. Sorry about that!",
                                      "server_error")
        return 503, {}, self.body("The engine is currently overloaded, please try again later.", "server_error")

    def wants_stream(self, body):
        return body.get("stream") is True

    def parse(self, body):
        messages = [m for m in as_list(body.get("messages")) if isinstance(m, dict)]
        system = [text_of(m.get("content")) for m in messages if m.get("role") in ("system", "developer")]
        rest = [m for m in messages if m.get("role") not in ("system", "developer")]

        def call_ids(message):
            return [c.get("id") for c in as_list(message.get("tool_calls")) if isinstance(c, dict)]

        for i, m in enumerate(rest):
            if m.get("role") == "tool":
                j = i - 1
                while j >= 0 and rest[j].get("role") == "tool":
                    j -= 1
                ids = call_ids(rest[j]) if j >= 0 and rest[j].get("role") == "assistant" else []
                if not ids:
                    raise Invalid("Invalid parameter: messages with role 'tool' must be a response to a "
                                  "preceeding message with 'tool_calls'.")
                if m.get("tool_call_id") not in ids:
                    raise Invalid("Invalid parameter: 'tool_call_id' of '%s' not found in 'tool_calls' of "
                                  "previous message." % m.get("tool_call_id"))
        for i, m in enumerate(rest):
            if m.get("role") == "assistant" and call_ids(m) and i + 1 < len(rest):
                answered, k = set(), i + 1
                while k < len(rest) and rest[k].get("role") == "tool":
                    answered.add(rest[k].get("tool_call_id"))
                    k += 1
                missing = [c for c in call_ids(m) if c not in answered]
                if missing:
                    raise Invalid("An assistant message with 'tool_calls' must be followed by tool messages "
                                  "responding to each 'tool_call_id'. The following tool_call_ids did not "
                                  "have response messages: " + ", ".join(missing))

        conv = Conv(system="\n".join(system) if system else None, turns=len(rest))
        users = [text_of(m.get("content")) for m in rest if m.get("role") == "user"]
        conv.last_user = users[-1] if users else ""
        if rest and rest[-1].get("role") == "tool":
            k = len(rest)
            while rest[k - 1].get("role") == "tool":
                k -= 1
            calls = [(c.get("id"), as_dict(c.get("function")).get("name"))
                     for c in as_list(rest[k - 1].get("tool_calls")) if isinstance(c, dict)]
            conv.results = in_call_order(calls, [(m.get("tool_call_id"), None, text_of(m.get("content")))
                                                 for m in rest[k:]])
        rf = as_dict(body.get("response_format"))
        conv.structured = ((rf.get("type") == "json_schema"
                            and isinstance(as_dict(rf.get("json_schema")).get("schema"), dict))
                           or (rf.get("type") == "json_object" and isinstance(rf.get("schema"), dict)))
        return conv

    @staticmethod
    def usage(u):
        return {"prompt_tokens": u["input"], "completion_tokens": u["output"],
                "total_tokens": u["input"] + u["output"],
                "prompt_tokens_details": {"cached_tokens": u["cache_read"], "audio_tokens": 0},
                "completion_tokens_details": {"reasoning_tokens": u["reasoning"], "audio_tokens": 0,
                                              "accepted_prediction_tokens": 0, "rejected_prediction_tokens": 0}}

    def whole(self, r, model):
        message = {"role": "assistant", "content": r.text or None, "refusal": None}
        if r.reasoning:
            message["reasoning_content"] = r.reasoning
        if r.calls:
            message["tool_calls"] = [{"id": "call_%d" % (i + 1), "type": "function",
                                      "function": {"name": name, "arguments": json.dumps(args)}}
                                     for i, (name, args) in enumerate(r.calls)]
        return {"id": "chatcmpl-fake01", "object": "chat.completion", "created": 1760000000, "model": model,
                "choices": [{"index": 0, "message": message, "logprobs": None, "finish_reason": r.finish}],
                "usage": self.usage(r.usage), "system_fingerprint": "fp_fake"}

    def stream(self, r, model, body):
        with_usage = bool(as_dict(body.get("stream_options")).get("include_usage"))

        def chunk(delta, finish=None, usage=None, choices=True):
            payload = {"id": "chatcmpl-fake01", "object": "chat.completion.chunk", "created": 1760000000,
                       "model": model, "system_fingerprint": "fp_fake",
                       "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}]
                       if choices else []}
            if with_usage:
                payload["usage"] = usage
            return "data: " + compact(payload) + "\n\n"

        shown = PARTIAL if r.mid_error else r
        out = [chunk({"role": "assistant", "content": "", "refusal": None})]
        out += [chunk({"reasoning_content": w}) for w in words(shown.reasoning)]
        out += [chunk({"content": w}) for w in words(shown.text)]
        if r.mid_error:
            return out + ['data: {"error":{"message":"upstream failed","type":"server_error"}}\n\n']
        for i, (name, args) in enumerate(r.calls):
            out.append(chunk({"tool_calls": [{"index": i, "id": "call_%d" % (i + 1), "type": "function",
                                              "function": {"name": name, "arguments": ""}}]}))
            out += [chunk({"tool_calls": [{"index": i, "function": {"arguments": f}}]})
                    for f in fragments(json.dumps(args))]
        out.append(chunk({}, r.finish))
        if with_usage:
            out.append(chunk(None, usage=self.usage(r.usage), choices=False))
        return out + ["data: [DONE]\n\n"]


# ------------------------------------------------------------------------------------------------
# Anthropic Messages (providers.md section 2)

class Anthropic:
    name = "anthropic"
    json_type = "application/json"
    stream_type = "text/event-stream; charset=utf-8"
    headers = {"request-id": "req_fake01"}
    dumps = staticmethod(compact)

    @staticmethod
    def err(status, type_, message, headers=None):
        return status, headers or {}, {"type": "error", "error": {"type": type_, "message": message},
                                       "request_id": "req_fake01"}

    def auth_error(self, headers):
        if headers.get("x-api-key") != ARGS.key:
            return self.error("unauthorized", "")
        if not headers.get("anthropic-version"):
            return self.err(401, "authentication_error", "anthropic-version header is required (test fixture)")
        return None

    def invalid(self, message):
        return self.err(400, "invalid_request_error", message)

    def error(self, kind, model):
        if kind == "context":
            return self.invalid("prompt is too long: 208656 tokens > 200000 maximum")
        if kind == "unauthorized":
            return self.err(401, "authentication_error", "invalid x-api-key")
        if kind == "unknown-model":
            return self.err(404, "not_found_error", "model: " + model)
        if kind == "rate-limited":
            return self.err(429, "rate_limit_error", "This request would exceed the rate limit for your "
                            "organization of 50 requests per minute.", {"retry-after": "0"})
        if kind == "server-error":
            return self.err(500, "api_error", "Internal server error")
        return self.err(529, "overloaded_error", "Overloaded")

    def wants_stream(self, body):
        return body.get("stream") is True

    @staticmethod
    def blocks(message, type_):
        return [b for b in as_list(message.get("content")) if isinstance(b, dict) and b.get("type") == type_]

    def parse(self, body):
        if "max_tokens" not in body:
            raise Invalid("max_tokens: Field required")
        messages = [m for m in as_list(body.get("messages")) if isinstance(m, dict)]
        for i, m in enumerate(messages):
            role = m.get("role")
            if role == "system":
                raise Invalid('messages: Unexpected role "system". The Messages API accepts a top-level `system` '
                              'parameter, not "system" as an input message role.')
            if role not in ("user", "assistant"):
                raise Invalid("messages.%d.role: Input should be 'user' or 'assistant'" % i)
            if i == 0 and role != "user":
                raise Invalid('messages: first message must use the "user" role')
            if i > 0 and messages[i - 1].get("role") == role:
                raise Invalid('messages: roles must alternate between "user" and "assistant", but found '
                              'multiple "%s" roles in a row' % role)
        for i, tool in enumerate(as_list(body.get("tools"))):
            tool = as_dict(tool)
            if tool.get("type") == "function" or "function" in tool:
                raise Invalid("tools.%d: Input tag 'function' found using 'type' does not match any of the "
                              "expected tags: 'custom', 'bash_20250124', 'text_editor_20250124', "
                              "'web_search_20250305'" % i)
            if "parameters" in tool:
                raise Invalid("tools.%d.custom.parameters: Extra inputs are not permitted" % i)
            if "input_schema" not in tool and tool.get("type", "custom") == "custom":
                raise Invalid("tools.%d.custom.input_schema: Field required" % i)
        for i, m in enumerate(messages):
            if m.get("role") == "user":
                uses = [b.get("id") for b in self.blocks(messages[i - 1], "tool_use")] if i > 0 else []
                for k, block in enumerate(as_list(m.get("content"))):
                    if as_dict(block).get("type") == "tool_result" and block.get("tool_use_id") not in uses:
                        raise Invalid("messages.%d.content.%d: unexpected `tool_use_id` found in `tool_result` "
                                      "blocks: %s. Each `tool_result` block must have a corresponding "
                                      "`tool_use` block in the previous message."
                                      % (i, k, block.get("tool_use_id")))
        for i, m in enumerate(messages):
            if m.get("role") == "assistant" and i + 1 < len(messages):
                answered = {b.get("tool_use_id") for b in self.blocks(messages[i + 1], "tool_result")}
                missing = [b.get("id") for b in self.blocks(m, "tool_use") if b.get("id") not in answered]
                if missing:
                    raise Invalid("messages.%d: `tool_use` ids were found without `tool_result` blocks "
                                  "immediately after: %s. Each `tool_use` block must have a corresponding "
                                  "`tool_result` block in the next message." % (i, ", ".join(missing)))

        conv = Conv(system=text_of(body["system"]) if body.get("system") is not None else None,
                    turns=len(messages))
        texts = [text_of(m.get("content")) for m in messages if m.get("role") == "user"]
        texts = [t for t in texts if t]
        conv.last_user = texts[-1] if texts else ""
        last = messages[-1] if messages else {}
        results = self.blocks(last, "tool_result") if last.get("role") == "user" else []
        if results:
            previous = messages[-2]
            calls = [(b.get("id"), b.get("name")) for b in self.blocks(previous, "tool_use")]
            conv.results = in_call_order(calls, [(b.get("tool_use_id"), None, text_of(b.get("content")))
                                                 for b in results])
            first = as_dict((as_list(previous.get("content")) or [None])[0])
            conv.echo_ok = (first.get("type") == "thinking" and first.get("thinking") == TOOL_THINKING
                            and first.get("signature") == SIGNATURES["reasoning-tool"]["anthropic"])
        fmt = as_dict(as_dict(body.get("output_config")).get("format"))
        conv.structured = fmt.get("type") == "json_schema" and isinstance(fmt.get("schema"), dict)
        return conv

    @staticmethod
    def usage(u, output=None):
        out = {"input_tokens": u["input"] - u["cache_read"] - u["cache_write"],
               "cache_creation_input_tokens": u["cache_write"], "cache_read_input_tokens": u["cache_read"],
               "output_tokens": u["output"] if output is None else output}
        return out

    @staticmethod
    def stop_reason(r):
        return "tool_use" if r.calls else "end_turn"

    def whole(self, r, model):
        content = []
        if r.reasoning:
            content.append({"type": "thinking", "thinking": r.reasoning, "signature": r.signatures["anthropic"]})
        if r.text:
            content.append({"type": "text", "text": r.text})
        for i, (name, args) in enumerate(r.calls):
            content.append({"type": "tool_use", "id": "toolu_%02d" % (i + 1), "name": name, "input": args})
        usage = self.usage(r.usage)
        if r.usage["reasoning"]:
            usage["output_tokens_details"] = {"thinking_tokens": r.usage["reasoning"]}
        usage["service_tier"] = "standard"
        return {"id": "msg_fake01", "type": "message", "role": "assistant", "model": model, "content": content,
                "stop_reason": self.stop_reason(r), "stop_sequence": None, "usage": usage}

    def stream(self, r, model, body):
        def event(data):
            return "event: %s\ndata: %s\n\n" % (data["type"], compact(data))

        blocks = []  # (content_block_start block, [deltas])
        shown = PARTIAL if r.mid_error else r
        if shown.reasoning:
            blocks.append(({"type": "thinking", "thinking": "", "signature": ""},
                           [{"type": "thinking_delta", "thinking": w} for w in words(shown.reasoning)]
                           + [{"type": "signature_delta", "signature": shown.signatures["anthropic"]}]))
        if shown.text:
            blocks.append(({"type": "text", "text": ""},
                           [{"type": "text_delta", "text": w} for w in words(shown.text)]))
        for i, (name, args) in enumerate(shown.calls):
            blocks.append(({"type": "tool_use", "id": "toolu_%02d" % (i + 1), "name": name, "input": {}},
                           [{"type": "input_json_delta", "partial_json": f}
                            for f in [""] + fragments(json.dumps(args))]))
        out = [event({"type": "message_start", "message": {
            "id": "msg_fake01", "type": "message", "role": "assistant", "model": model, "content": [],
            "stop_reason": None, "stop_sequence": None, "usage": self.usage(r.usage, output=1)}})]
        for index, (start, deltas) in enumerate(blocks):
            out.append(event({"type": "content_block_start", "index": index, "content_block": start}))
            if index == 0:
                out.append(event({"type": "ping"}))
            out += [event({"type": "content_block_delta", "index": index, "delta": d}) for d in deltas]
            if r.mid_error:
                return out + ['event: error\ndata: {"type":"error","error":{"type":"overloaded_error",'
                              '"message":"Overloaded"}}\n\n']
            out.append(event({"type": "content_block_stop", "index": index}))
        usage = {"output_tokens": r.usage["output"]}
        if r.usage["reasoning"]:
            usage["output_tokens_details"] = {"thinking_tokens": r.usage["reasoning"]}
        out.append(event({"type": "message_delta", "delta": {"stop_reason": self.stop_reason(r),
                                                             "stop_sequence": None}, "usage": usage}))
        return out + [event({"type": "message_stop"})]


# ------------------------------------------------------------------------------------------------
# Gemini generateContent (providers.md section 3)

FORBIDDEN_SCHEMA_KEYS = ("additionalProperties", "$schema", "$ref", "$defs", "default", "const")


def check_schema(schema, path):
    """Refuses what Gemini's OpenAPI-subset `parameters` schema cannot hold, naming the place."""
    if not isinstance(schema, dict):
        return
    for key in FORBIDDEN_SCHEMA_KEYS:
        if key in schema:
            raise Invalid('Invalid JSON payload received. Unknown name "%s" at \'%s\': Cannot find field.'
                          % (key, path))
    if isinstance(schema.get("type"), list):
        raise Invalid('Invalid JSON payload received. Unknown name "type" at \'%s\': Proto field is not '
                      'repeating, cannot start list.' % path)
    for n, sub in enumerate(as_dict(schema.get("properties")).values()):
        check_schema(sub, "%s.properties[%d].value" % (path, n))
    items = schema.get("items")
    for sub in items if isinstance(items, list) else [items]:
        check_schema(sub, path + ".items")
    for key, name in (("anyOf", "any_of"), ("oneOf", "one_of"), ("allOf", "all_of"), ("prefixItems", "prefix_items")):
        for n, sub in enumerate(as_list(schema.get(key))):
            check_schema(sub, "%s.%s[%d]" % (path, name, n))
    check_schema(schema.get("not"), path + ".not")


class Gemini:
    name = "gemini"
    json_type = "application/json; charset=UTF-8"
    stream_type = "text/event-stream"
    headers = {}
    dumps = staticmethod(json.dumps)

    @staticmethod
    def err(code, status, message, details=None, headers=None):
        error = {"code": code, "message": message, "status": status}
        if details:
            error["details"] = details
        return code, headers or {}, {"error": error}

    def auth_error(self, headers):
        if headers.get("x-goog-api-key") != ARGS.key:
            return self.error("unauthorized", "")
        return None

    def invalid(self, message):
        return self.err(400, "INVALID_ARGUMENT", message)

    def error(self, kind, model):
        if kind == "context":
            return self.invalid("The input token count (1200293) exceeds the maximum number of tokens allowed "
                                "(1048576).")
        if kind == "unauthorized":
            return self.err(400, "INVALID_ARGUMENT", "API key not valid. Please pass a valid API key.", [
                {"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "API_KEY_INVALID",
                 "domain": "googleapis.com", "metadata": {"service": "generativelanguage.googleapis.com"}}])
        if kind == "unknown-model":
            return self.err(404, "NOT_FOUND", "models/%s is not found for API version v1beta, or is not supported "
                            "for generateContent. Call ListModels to see the list of available models and "
                            "their supported methods." % model)
        if kind == "rate-limited":
            return self.err(429, "RESOURCE_EXHAUSTED", "Resource has been exhausted (e.g. check quota).",
                            [{"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "0s"}])
        if kind == "server-error":
            return self.err(500, "INTERNAL", "An internal error has occurred. Please retry or report in "
                            "https://developers.generativeai.google/guide/troubleshooting")
        return self.err(503, "UNAVAILABLE", "The model is overloaded. Please try again later.")

    def wants_stream(self, body):
        return self.streaming  # set per request from the URL by route()

    @staticmethod
    def parts(content):
        return [p for p in as_list(as_dict(content).get("parts")) if isinstance(p, dict)]

    def parse(self, body):
        contents = [c for c in as_list(body.get("contents")) if isinstance(c, dict)]
        for c in contents:
            if c.get("role") not in ("user", "model"):
                raise Invalid("Please use a valid role: user, model.")
        for t, tool in enumerate(as_list(body.get("tools"))):
            for f, decl in enumerate(as_list(as_dict(tool).get("functionDeclarations"))):
                if "parameters" in as_dict(decl):
                    check_schema(decl["parameters"], "tools[%d].function_declarations[%d].parameters" % (t, f))
        for i, c in enumerate(contents):
            responses = [(k, p["functionResponse"]) for k, p in enumerate(self.parts(c)) if "functionResponse" in p]
            for k, response in responses:
                if not isinstance(as_dict(response).get("response"), dict):
                    raise Invalid("Invalid value at 'contents[%d].parts[%d].function_response.response' "
                                  "(type.googleapis.com/google.protobuf.Struct), %s"
                                  % (i, k, json.dumps(as_dict(response).get("response"))))
            if responses:
                previous = contents[i - 1] if i > 0 and contents[i - 1].get("role") == "model" else {}
                names = [as_dict(p["functionCall"]).get("name") for p in self.parts(previous) if "functionCall" in p]
                if not names:
                    raise Invalid("Please ensure that function response turn comes immediately after a function "
                                  "call turn.")
                for _, response in responses:
                    if response.get("name") not in names:
                        raise Invalid("Function response name \"%s\" does not match any function call in the "
                                      "preceding model turn (%s)." % (response.get("name"), ", ".join(names)))

        system = [p["text"] for p in self.parts(body.get("systemInstruction")) if isinstance(p.get("text"), str)]
        conv = Conv(system="\n".join(system) if system else None, turns=len(contents))
        texts = ["\n".join(p["text"] for p in self.parts(c) if isinstance(p.get("text"), str) and not p.get("thought"))
                 for c in contents if c.get("role") == "user"]
        texts = [t for t in texts if t]
        conv.last_user = texts[-1] if texts else ""
        last = contents[-1] if contents else {}
        responses = [p["functionResponse"] for p in self.parts(last) if "functionResponse" in p]
        if last.get("role") == "user" and responses:
            call_parts = [p for p in self.parts(contents[-2]) if "functionCall" in p]
            calls = [(as_dict(p["functionCall"]).get("id"), as_dict(p["functionCall"]).get("name"))
                     for p in call_parts]
            conv.results = in_call_order(calls, [(r.get("id"), r.get("name"), self.result_text(r["response"]))
                                                 for r in responses])
            conv.echo_ok = bool(call_parts) and \
                call_parts[0].get("thoughtSignature") == SIGNATURES["reasoning-tool"]["gemini"]
            self.echo_position = len(contents) - 2
        config = as_dict(body.get("generationConfig"))
        conv.structured = config.get("responseMimeType") == "application/json" and (
            isinstance(config.get("responseJsonSchema"), dict) or isinstance(config.get("responseSchema"), dict))
        return conv

    @staticmethod
    def result_text(response):
        if len(response) == 1 and ("result" in response or "content" in response):
            value = next(iter(response.values()))
            return value if isinstance(value, str) else json.dumps(value)
        return json.dumps(response)

    def echo_error(self):
        return self.invalid("Function call is missing a thought_signature in functionCall parts. This is required "
                            "for tools to work correctly, and missing thought_signature may lead to degraded model "
                            "performance. Additional data, function call `default_api:get_weather` , position %d. "
                            "Please refer to https://ai.google.dev/gemini-api/docs/thought-signatures for more "
                            "details." % getattr(self, "echo_position", 0))

    @staticmethod
    def usage(u):
        out = {"promptTokenCount": u["input"], "candidatesTokenCount": u["output"] - u["reasoning"],
               "totalTokenCount": u["input"] + u["output"]}
        if u["cache_read"]:
            out["cachedContentTokenCount"] = u["cache_read"]
        if u["reasoning"]:
            out["thoughtsTokenCount"] = u["reasoning"]
        out["promptTokensDetails"] = [{"modality": "TEXT", "tokenCount": u["input"]}]
        return out

    @staticmethod
    def response(model, parts, usage, finish=False):
        candidate = {"content": {"parts": parts, "role": "model"}}
        if finish:
            candidate["finishReason"] = "STOP"
        candidate["index"] = 0
        return {"candidates": [candidate], "usageMetadata": usage, "modelVersion": model,
                "responseId": "fake-resp-01"}

    @staticmethod
    def call_parts(r):
        parts = []
        for i, (name, args) in enumerate(r.calls):
            part = {"functionCall": {"name": name, "args": args}}
            if i == 0 and "gemini" in r.signatures:
                part["thoughtSignature"] = r.signatures["gemini"]
            parts.append(part)
        return parts

    def whole(self, r, model):
        parts = [{"text": r.reasoning, "thought": True}] if r.reasoning else []
        parts += [{"text": r.text}] if r.text else []
        return self.response(model, parts + self.call_parts(r), self.usage(r.usage), finish=True)

    def stream(self, r, model, body):
        shown = PARTIAL if r.mid_error else r
        steps = [[{"text": w, "thought": True}] for w in words(shown.reasoning)]
        steps += [[{"text": w}] for w in words(shown.text)]
        if shown.calls:
            steps.append(self.call_parts(shown))
        steps = steps or [[]]
        early = {"promptTokenCount": r.usage["input"]}
        chunks = [self.response(model, parts, early) for parts in steps[:-1]]
        if r.mid_error:
            chunks.append(self.response(model, steps[-1], early))
        else:
            chunks.append(self.response(model, steps[-1], self.usage(r.usage), finish=True))
        error_line = json.dumps({"error": {"code": 500, "message": "upstream failed", "status": "INTERNAL"}})
        if not self.sse:  # no alt=sse: one JSON array, written progressively
            out = ["[" + json.dumps(chunks[0])] + [",\r\n" + json.dumps(c) for c in chunks[1:]]
            return out + ([",\r\n" + error_line + "]"] if r.mid_error else ["]"])
        out = ["data: " + json.dumps(c) + "\r\n\r\n" for c in chunks]
        return out + ([error_line + "\r\n"] if r.mid_error else [])


# ------------------------------------------------------------------------------------------------
# Ollama native /api/chat (providers.md section 4)

class Ollama:
    name = "ollama"
    json_type = "application/json; charset=utf-8"
    stream_type = "application/x-ndjson"
    headers = {}
    dumps = staticmethod(compact)
    created_at = "2026-01-01T10:00:00.000000000Z"
    metrics = {"total_duration": 200000000, "load_duration": 41000000, "prompt_eval_duration": 50000000,
               "eval_duration": 100000000}

    def auth_error(self, headers):
        return None

    def invalid(self, message):
        return 400, {}, {"error": message}

    def error(self, kind, model):
        if kind == "context":
            return 400, {}, {"error": "the prompt is longer than the context length currently available to the model"}
        if kind == "unauthorized":
            return 401, {}, {"error": "unauthorized"}
        if kind == "unknown-model":
            return 404, {}, {"error": 'model "%s" not found, try pulling it first' % model}
        if kind == "rate-limited":
            return 429, {"retry-after": "0"}, {"error": "too many requests"}
        if kind == "server-error":
            return 500, {}, {"error": "llama runner process has terminated: exit status 2"}
        return 503, {}, {"error": "server busy, please try again.  maximum pending requests exceeded"}

    def wants_stream(self, body):
        return body.get("stream") is not False  # absent (or null) means stream, as real Ollama

    def parse(self, body):
        messages = [m for m in as_list(body.get("messages")) if isinstance(m, dict)]
        system = [text_of(m.get("content")) for m in messages if m.get("role") == "system"]
        rest = [m for m in messages if m.get("role") != "system"]
        conv = Conv(system="\n".join(system) if system else None, turns=len(rest))
        users = [text_of(m.get("content")) for m in rest if m.get("role") == "user"]
        conv.last_user = users[-1] if users else ""
        if rest and rest[-1].get("role") == "tool":
            k = len(rest)
            while k > 0 and rest[k - 1].get("role") == "tool":
                k -= 1
            previous = rest[k - 1] if k > 0 else {}
            calls = [(c.get("id"), as_dict(c.get("function")).get("name"))
                     for c in as_list(previous.get("tool_calls")) if isinstance(c, dict)]
            conv.results = in_call_order(calls, [(m.get("tool_call_id"), m.get("tool_name"), text_of(m.get("content")))
                                                 for m in rest[k:]])
        conv.structured = isinstance(body.get("format"), dict)
        return conv

    @staticmethod
    def calls(r):
        ids = ["call_k3x9a1b2"] if len(r.calls) == 1 else ["call_aaaa1111", "call_bbbb2222"]
        return [{"id": ids[i], "function": {"index": i, "name": name, "arguments": args}}
                for i, (name, args) in enumerate(r.calls)]

    def line(self, model, message, done=False, r=None):
        out = {"model": model, "created_at": self.created_at, "message": dict({"role": "assistant"}, **message),
               "done": done}
        if done:
            out.update({"done_reason": "stop", "total_duration": self.metrics["total_duration"],
                        "load_duration": self.metrics["load_duration"],
                        "prompt_eval_count": r.usage["input"],
                        "prompt_eval_duration": self.metrics["prompt_eval_duration"],
                        "eval_count": r.usage["output"], "eval_duration": self.metrics["eval_duration"]})
        return out

    def whole(self, r, model):
        message = {"content": r.text}
        if r.reasoning:
            message["thinking"] = r.reasoning
        if r.calls:
            message["tool_calls"] = self.calls(r)
        return self.line(model, message, True, r)

    def stream(self, r, model, body):
        shown = PARTIAL if r.mid_error else r
        lines = [self.line(model, {"content": "", "thinking": w}) for w in words(shown.reasoning)]
        lines += [self.line(model, {"content": w}) for w in words(shown.text)]
        lines += [self.line(model, {"content": "", "tool_calls": [c]}) for c in self.calls(shown)]
        out = [compact(x) + "\n" for x in lines]
        if r.mid_error:
            return out + ['{"error":"an error was encountered while running the model"}\n']
        return out + [compact(self.line(model, {"content": ""}, True, r)) + "\n"]


# ------------------------------------------------------------------------------------------------
# HTTP

GEMINI_PATH = re.compile(r"/v1beta/models/([^:]+):(generateContent|streamGenerateContent)")


def route(path):
    """(format object, model from the URL or None) for a request path, or (None, None)."""
    url = urlsplit(path)
    if url.path == "/v1/chat/completions":
        return OpenAI(), None
    if url.path == "/v1/messages":
        return Anthropic(), None
    if url.path == "/api/chat":
        return Ollama(), None
    match = GEMINI_PATH.fullmatch(url.path)
    if match:
        gemini = Gemini()
        gemini.streaming = match.group(2) == "streamGenerateContent"
        gemini.sse = parse_qs(url.query).get("alt") == ["sse"]
        return gemini, unquote(match.group(1))
    return None, None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def log_message(self, *args):
        pass

    def send_whole(self, status, headers, payload, content_type="application/json", dumps=json.dumps):
        data = dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        self.wfile.write(data)

    def send_stream(self, fmt, writes):
        self.send_response(200)
        self.send_header("Content-Type", fmt.stream_type)
        for k, v in fmt.headers.items():
            self.send_header(k, v)
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        try:
            for item in writes:
                self.wfile.write(item.encode())
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass

    def do_GET(self):
        headers = {k.lower(): v for k, v in self.headers.items()}
        path = self.path.split("?")[0]
        if self.path == "/_requests":
            with LOCK:
                data = list(RECEIVED)
            self.send_whole(200, {}, data)
        elif path == "/v1/models" and "x-api-key" in headers:
            # Anthropic's models list (llm-probe checks keys with it)
            if ARGS.key and headers.get("x-api-key") != ARGS.key:
                self.send_whole(401, {}, {"type": "error", "error": {"type": "authentication_error", "message": "invalid x-api-key"}})
            else:
                self.send_whole(200, {}, {"data": [{"type": "model", "id": "claude-fake-1", "display_name": "Claude Fake"}],
                                          "has_more": False, "first_id": "claude-fake-1", "last_id": "claude-fake-1"})
        elif path == "/v1/models":
            if ARGS.key and headers.get("authorization") != "Bearer " + ARGS.key:
                self.send_whole(401, {}, {"error": {"message": "Incorrect API key provided", "type": "invalid_request_error",
                                                    "code": "invalid_api_key", "param": None}})
            else:
                self.send_whole(200, {}, {"object": "list", "data": [{"id": "gpt-fake", "object": "model", "owned_by": "fake"}]})
        elif path == "/v1beta/models":
            if "key=" in (self.path.split("?") + [""])[1] or (ARGS.key and headers.get("x-goog-api-key") != ARGS.key):
                self.send_whole(400, {}, {"error": {"code": 400, "message": "API key not valid. Please pass a valid API key.",
                                                    "status": "INVALID_ARGUMENT", "details": [{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "API_KEY_INVALID"}]}})
            else:
                self.send_whole(200, {}, {"models": [{"name": "models/gemini-fake", "displayName": "Gemini Fake"}]})
        else:
            self.send_whole(404, {}, {"error": "no route for GET " + self.path})

    def do_POST(self):
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        headers = {k.lower(): v for k, v in self.headers.items()}
        with LOCK:
            RECEIVED.append({"path": self.path, "headers": headers, "body": body})
        fmt, url_model = route(self.path)
        if fmt is None:
            self.send_whole(404, {}, {"error": "no route for POST " + self.path})
            return
        status, extra, payload = self.respond(fmt, url_model, headers, body)
        if status is None:
            self.send_stream(fmt, payload)
        else:
            self.send_whole(status, dict(fmt.headers, **extra), payload, fmt.json_type, fmt.dumps)

    def respond(self, fmt, url_model, headers, body):
        """(status, headers, JSON payload) for a whole reply, or (None, None, writes) for a stream."""
        if isinstance(fmt, Gemini) and "key" in parse_qs(urlsplit(self.path).query):
            return fmt.invalid("API key must not be in the URL (test fixture)")
        if ARGS.key:
            refused = fmt.auth_error(headers)
            if refused:
                return refused
        if not isinstance(body, dict):
            return fmt.invalid("The request body is not a JSON object.")
        scenario = url_model if url_model is not None else str(body.get("model", ""))
        try:
            conv = fmt.parse(body)
        except Invalid as e:
            return fmt.invalid(str(e))
        reply = plan(fmt.name, scenario, conv)
        if isinstance(reply, str):
            return fmt.error(reply, scenario)
        if reply.check_echo and not conv.echo_ok:
            if isinstance(fmt, Gemini):
                return fmt.echo_error()
            if isinstance(fmt, Anthropic):
                return fmt.invalid("messages.%d.content.0: thinking block missing or modified"
                                   % (len(body["messages"]) - 2))
        if fmt.wants_stream(body):
            return None, None, fmt.stream(reply, scenario, body)
        return 200, {}, fmt.whole(reply, scenario)


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128


def main():
    global ARGS
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--key", help="API key every request must carry in its format's auth header")
    ARGS = parser.parse_args()
    server = Server(("127.0.0.1", ARGS.port), Handler)
    print("PORT", server.server_address[1], flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
