#!/usr/bin/env python3
"""A fake OpenAI Batch API and Anthropic Message Batches API, for testing `llm-complete --batch-api`.

Listens on 127.0.0.1 only. `fake_batches.py --port 0 [--key KEY] [--polls-before-done N]
[--expire CUSTOM_ID ...]` prints "PORT <n>" on stdout once listening.

Every request of a batch is answered by fake_provider.py's own reply logic (its Handler.respond), so a
line's status and body are exactly what fake_provider.py answers to the same body on
POST /v1/chat/completions or POST /v1/messages (the scenario is the model name, as there). The server
is a fake_provider.py server too: its routes (/v1/chat/completions, /v1/messages, /v1/models,
/_requests, ...) work here unchanged, and GET /_requests lists the batch requests beside its own, as
{"method", "path", "headers" (lowercased), "body"} (a multipart upload's body is its parsed fields:
{"purpose": ..., "file": {"filename", "content_type", "text"}}).

OpenAI Batch API (Authorization: Bearer KEY; errors in OpenAI's {"error": {...}} shape)
  POST /v1/files                     multipart/form-data: purpose "batch" and file (JSONL). Every line is
                                     an object with a custom_id string unique in the file, method "POST",
                                     url "/v1/chat/completions" and an object body, else 400
                                     (code invalid_json_line, duplicate_custom_id, ..., message names the
                                     line). Answers the file object.
  GET  /v1/files/{id}                the file object; 404 if unknown
  GET  /v1/files/{id}/content        the file's JSONL (application/octet-stream); 404 if unknown
  DELETE /v1/files/{id}              {"id", "object": "file", "deleted": true}
  POST /v1/batches                   {"input_file_id", "endpoint": "/v1/chat/completions",
                                     "completion_window": "24h", "metadata"?}: the batch, "validating";
                                     unknown file 404, other endpoint or window 400
  GET  /v1/batches                   {"object": "list", "data": [batches], ...} (does not advance them)
  GET  /v1/batches/{id}              the batch; each GET advances it (see Progress). Once completed:
                                     output file = the 2xx lines {"id": "batch_req_..", "custom_id",
                                     "response": {"status_code", "request_id", "body"}, "error": null};
                                     error file = the other lines (same shape, their status and error
                                     body) and the --expire lines {"id", "custom_id", "response": null,
                                     "error": {"code": "batch_expired", "message": ...}}. A file id is
                                     null when that file would be empty. A line asking "stream": true is
                                     an error line (400), not a stream.
  POST /v1/batches/{id}/cancel       "cancelling"; the next GET makes it "cancelled" with files holding
                                     only the lines already processed. 400 once it has ended.

Anthropic Message Batches (x-api-key: KEY and anthropic-version; errors in Anthropic's shape)
  POST /v1/messages/batches          {"requests": [{"custom_id", "params"}]}: custom_id must match
                                     ^[a-zA-Z0-9_-]{1,64}$ and be unique, params an object without
                                     "stream": true, else 400 invalid_request_error. Answers the batch,
                                     processing_status "in_progress". params are checked as /v1/messages
                                     checks them only when processed (an invalid one is an errored result),
                                     as the real API does.
  GET  /v1/messages/batches          {"data": [batches], "has_more": false, "first_id", "last_id"}
  GET  /v1/messages/batches/{id}     the batch; each GET advances it. Once "ended": ended_at and
                                     results_url http://127.0.0.1:<port>/v1/messages/batches/<id>/results
  GET  /v1/messages/batches/{id}/results
                                     JSONL (application/binary): {"custom_id", "result": {"type":
                                     "succeeded", "message": <Messages reply>}}, or {"type": "errored",
                                     "error": <fake_provider's error body, {"type": "error", "error":
                                     {"type", "message"}, "request_id"}>}, or {"type": "expired"} for
                                     --expire ids, or {"type": "canceled"}. 400 before the batch has
                                     ended, 404 if unknown.
  POST /v1/messages/batches/{id}/cancel
                                     "canceling" with cancel_initiated_at; the next GET ends it, the
                                     requests not yet processed "canceled". 400 once it has ended.

Progress (both APIs). A batch ends on its Nth GET (N = --polls-before-done, default 3; 0 counts as 1).
OpenAI: "validating" when created, then "in_progress" (request_counts grow), "finalizing" on GET N-1
when N >= 3 (every request processed), "completed" on GET N. Anthropic: "in_progress" until it ends.
Requests are processed in input order, a share of them on each in_progress GET, all by finalizing.
Output files and results list their lines in a shuffled order (seeded; never input order when there
are two or more lines): the client must match them by custom_id.

--key KEY                as fake_provider.py: OpenAI `Authorization: Bearer KEY`; Anthropic `x-api-key: KEY`
                         and an `anthropic-version` header; else 401 in the provider's error shape.
--polls-before-done N    GETs of a batch until it has ended (default 3)
--expire CUSTOM_ID ...   requests never processed: expired when their batch ends (not when it is cancelled)
"""
import argparse
import json
import os
import random
import re
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email import policy
from email.parser import BytesParser
from urllib.parse import urlsplit

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fake_provider as fp  # noqa: E402  (after the path is set)

ARGS = None
STATE = threading.Lock()  # guards FILES and BATCHES
FILES = {}                # OpenAI file id -> StoredFile
BATCHES = {}              # batch id (either API) -> Batch

ENDPOINT = "/v1/chat/completions"
WINDOW_SECONDS = 86400
CUSTOM_ID = re.compile(r"[a-zA-Z0-9_-]{1,64}")
EXPIRED_MESSAGE = "This request could not be executed before the completion window expired."


def new_id(prefix, length=24):
    return prefix + uuid.uuid4().hex[:length]


def iso(t):
    """Unix time as Anthropic writes it: 2024-09-24T18:37:24.100435Z."""
    return datetime.fromtimestamp(t, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def jsonl(objects):
    return "".join(fp.compact(o) + "\n" for o in objects)


def shuffled(items):
    """The items in a seeded random order that is never the input order (for two or more)."""
    out = list(items)
    random.Random(7).shuffle(out)
    if len(out) > 1 and out == list(items):
        out.reverse()
    return out


# ------------------------------------------------------------------------------------------------
# The reply to one request of a batch: fake_provider's own logic.

def provider_reply(handler, fmt, body, headers):
    """(status, JSON body) fake_provider's Handler sends for `body` on fmt's route (/v1/chat/completions
    for fp.OpenAI, /v1/messages for fp.Anthropic). A line asking for a stream is refused with 400."""
    status, _headers, payload = fp.Handler.respond(handler, fmt, None, headers, body)
    if status is None:  # only OpenAI lines get here: Anthropic refuses "stream": true when the batch is created
        return 400, fp.OpenAI.body("Streaming is not supported in the Batch API.", "invalid_request_error", None,
                                   "stream")
    return status, payload


# ------------------------------------------------------------------------------------------------
# A batch, whichever API made it: its requests, the replies so far, and where it is in its life.

def phase(polls, n):
    """(status, done numerator, denominator) after `polls` GETs of a batch that ends on GET n."""
    n = max(n, 1)
    if polls >= n:
        return "completed", 1, 1
    if n >= 3 and polls == n - 1:
        return "finalizing", 1, 1
    steps = n - 1 if n < 3 else n - 2  # GETs that find it in_progress
    return "in_progress", polls, steps + 1


@dataclass
class Batch:
    id: str
    api: object                      # fp.OpenAI or fp.Anthropic instance
    requests: list                   # [(custom_id, body)] in input order
    status: str = "validating"       # validating in_progress finalizing completed cancelling cancelled
    polls: int = 0
    results: dict = field(default_factory=dict)  # custom_id -> (status, body), processed requests
    times: dict = field(default_factory=dict)    # status -> unix time it began (and "created")
    extra: dict = field(default_factory=dict)    # API-specific fields (OpenAI: file ids, metadata)

    @property
    def ended(self):
        return self.status in ("completed", "cancelled")

    def to_process(self):
        return [(cid, body) for cid, body in self.requests if cid not in ARGS.expire]

    def expired_ids(self):
        """Requests that expired: the --expire ones, once the batch completed (not when cancelled)."""
        if self.status != "completed":
            return []
        return [cid for cid, _ in self.requests if cid in ARGS.expire]

    def unprocessed_ids(self):
        return [cid for cid, _ in self.requests if cid not in self.results and cid not in self.expired_ids()]

    def advance(self, handler, headers):
        """One GET's worth of progress."""
        if self.ended:
            return
        self.polls += 1
        now = time.time()
        if self.status == "cancelling":
            self.set_status("cancelled", now)
            return
        status, num, den = phase(self.polls, ARGS.polls_before_done)
        todo = self.to_process()
        self.process(handler, headers, todo[:len(todo) * num // den])
        self.times.setdefault("in_progress", now)
        if status in ("finalizing", "completed"):
            self.times.setdefault("finalizing", now)
        self.set_status(status, now)

    def process(self, handler, headers, requests):
        for cid, body in requests:
            if cid not in self.results:
                self.results[cid] = provider_reply(handler, self.api, body, headers)

    def cancel(self):
        self.set_status("cancelling", time.time())

    def set_status(self, status, now):
        self.status = status
        self.times.setdefault(status, now)

    def counts(self):
        """(succeeded, failed) among the processed requests."""
        ok = sum(1 for status, _ in self.results.values() if 200 <= status < 300)
        return ok, len(self.results) - ok


# ------------------------------------------------------------------------------------------------
# OpenAI: files, batch objects, output and error files.

@dataclass
class StoredFile:
    meta: dict
    text: str


def store_file(filename, purpose, text):
    meta = {"id": new_id("file-"), "object": "file", "bytes": len(text.encode()), "created_at": int(time.time()),
            "filename": filename, "purpose": purpose}
    FILES[meta["id"]] = StoredFile(meta, text)
    return meta


class BadFile(Exception):
    """An upload the Batch API refuses: (code, message, param)."""


def check_line(number, line, seen):
    """The (custom_id, body) of one JSONL line of a batch input file, or BadFile."""
    where = "Line %d: " % number
    try:
        item = json.loads(line)
    except ValueError:
        item = None
    if not isinstance(item, dict):
        raise BadFile("invalid_json_line", where + "This line is not parseable as valid JSON.", None)
    cid = item.get("custom_id")
    if not isinstance(cid, str):
        raise BadFile("missing_required_parameter", where + "Missing required parameter: 'custom_id'.", "custom_id")
    if cid in seen:
        raise BadFile("duplicate_custom_id", where + "The custom_id for this request is a duplicate of another "
                      "request. The custom_id parameter must be unique for each request in a batch.", "custom_id")
    if item.get("method") != "POST":
        raise BadFile("invalid_method", where + "The method for this request must be POST.", "method")
    if item.get("url") != ENDPOINT:
        raise BadFile("invalid_url", where + "The URL provided for this request does not prefix-match the batch "
                      "endpoint.", "url")
    if not isinstance(item.get("body"), dict):
        raise BadFile("invalid_request", where + "The body of this request must be a JSON object.", "body")
    seen.add(cid)
    return cid, item["body"]


def parse_input(text):
    """[(custom_id, body)] of a batch input file (blank lines skipped), or BadFile."""
    seen, requests = set(), []
    for number, line in enumerate(text.splitlines(), 1):
        if line.strip():
            requests.append(check_line(number, line, seen))
    if not requests:
        raise BadFile("empty_file", "The batch input file is empty.", "file")
    return requests


def openai_result_line(cid, result):
    """One line of an output or error file; result None = expired."""
    if result is None:
        return {"id": new_id("batch_req_"), "custom_id": cid, "response": None,
                "error": {"code": "batch_expired", "message": EXPIRED_MESSAGE}}
    status, body = result
    return {"id": new_id("batch_req_"), "custom_id": cid,
            "response": {"status_code": status, "request_id": new_id("req_"), "body": body}, "error": None}


def write_result_files(batch):
    """Stores the output and error files of an ended batch; their ids (None when empty) go in batch.extra."""
    done = [(cid, batch.results[cid]) for cid, _ in batch.requests if cid in batch.results]
    good = [openai_result_line(cid, r) for cid, r in done if 200 <= r[0] < 300]
    bad = [openai_result_line(cid, r) for cid, r in done if not 200 <= r[0] < 300]
    bad += [openai_result_line(cid, None) for cid in batch.expired_ids()]
    for key, lines, name in (("output_file_id", good, "output"), ("error_file_id", bad, "error")):
        if lines:
            meta = store_file("%s_%s.jsonl" % (batch.id, name), "batch_" + name, jsonl(shuffled(lines)))
            batch.extra[key] = meta["id"]


def openai_batch(batch):
    ok, failed = batch.counts()
    t = {k: int(v) for k, v in batch.times.items()}  # unix seconds
    return {"id": batch.id, "object": "batch", "endpoint": ENDPOINT, "errors": None,
            "input_file_id": batch.extra["input_file_id"], "completion_window": "24h", "status": batch.status,
            "output_file_id": batch.extra.get("output_file_id"), "error_file_id": batch.extra.get("error_file_id"),
            "created_at": t["created"], "in_progress_at": t.get("in_progress"),
            "expires_at": t["created"] + WINDOW_SECONDS, "finalizing_at": t.get("finalizing"),
            "completed_at": t.get("completed"), "failed_at": None, "expired_at": None,
            "cancelling_at": t.get("cancelling"), "cancelled_at": t.get("cancelled"),
            "request_counts": {"total": len(batch.requests), "completed": ok,
                               "failed": failed + len(batch.expired_ids())},
            "metadata": batch.extra.get("metadata")}


# ------------------------------------------------------------------------------------------------
# Anthropic: batch objects and results.

ANTHROPIC_STATUS = {"validating": "in_progress", "in_progress": "in_progress", "finalizing": "in_progress",
                    "cancelling": "canceling", "completed": "ended", "cancelled": "ended"}


def anthropic_counts(batch):
    ok, failed = batch.counts()
    expired = len(batch.expired_ids())
    canceled = len(batch.unprocessed_ids()) if batch.status == "cancelled" else 0
    return {"processing": len(batch.requests) - ok - failed - expired - canceled, "succeeded": ok,
            "errored": failed, "canceled": canceled, "expired": expired}


def anthropic_batch(batch, port):
    t = batch.times
    ended = t.get("completed", t.get("cancelled"))
    results = "http://127.0.0.1:%d/v1/messages/batches/%s/results" % (port, batch.id) if batch.ended else None
    return {"id": batch.id, "type": "message_batch", "processing_status": ANTHROPIC_STATUS[batch.status],
            "request_counts": anthropic_counts(batch), "ended_at": iso(ended) if ended else None,
            "created_at": iso(t["created"]), "expires_at": iso(t["created"] + WINDOW_SECONDS),
            "cancel_initiated_at": iso(t["cancelling"]) if "cancelling" in t else None,
            "archived_at": None, "results_url": results}


def anthropic_result(batch, cid):
    if cid in batch.results:
        status, body = batch.results[cid]
        if 200 <= status < 300:
            return {"type": "succeeded", "message": body}
        return {"type": "errored", "error": body}
    if cid in batch.expired_ids():
        return {"type": "expired"}
    return {"type": "canceled"}


def anthropic_results(batch):
    return jsonl(shuffled([{"custom_id": cid, "result": anthropic_result(batch, cid)} for cid, _ in batch.requests]))


def check_anthropic_requests(body):
    """[(custom_id, params)] of a Message Batches create body, or raises fp.Invalid."""
    requests = body.get("requests") if isinstance(body, dict) else None
    if not isinstance(requests, list) or not requests:
        raise fp.Invalid("requests: Field required (a non-empty list)")
    seen, out = set(), []
    for i, item in enumerate(requests):
        item = fp.as_dict(item)
        cid, params = item.get("custom_id"), item.get("params")
        if not isinstance(cid, str) or not CUSTOM_ID.fullmatch(cid):
            raise fp.Invalid("requests.%d.custom_id: String should match pattern '^[a-zA-Z0-9_-]{1,64}$'" % i)
        if cid in seen:
            raise fp.Invalid("requests.%d.custom_id: Duplicate custom_id '%s'; custom_id values must be unique "
                             "within a batch" % (i, cid))
        if not isinstance(params, dict):
            raise fp.Invalid("requests.%d.params: Field required" % i)
        if params.get("stream") is True:
            raise fp.Invalid("requests.%d.params.stream: streaming is not supported in Message Batches" % i)
        seen.add(cid)
        out.append((cid, params))
    return out


# ------------------------------------------------------------------------------------------------
# Multipart uploads

def parse_multipart(content_type, raw):
    """{name: text, or {"filename", "content_type", "text"} for a file part}, or None if not multipart."""
    if not content_type.lower().startswith("multipart/form-data"):
        return None
    message = BytesParser(policy=policy.HTTP).parsebytes(
        b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + raw)
    if not message.is_multipart():
        return None
    fields = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        text = (part.get_payload(decode=True) or b"").decode("utf-8", "replace")
        filename = part.get_filename()
        fields[name] = text if filename is None else {"filename": filename,
                                                      "content_type": part.get_content_type(), "text": text}
    return fields


# ------------------------------------------------------------------------------------------------
# HTTP

class Raw:
    """A reply body that is not JSON."""
    def __init__(self, content_type, text):
        self.content_type, self.text = content_type, text


OPENAI, ANTHROPIC = fp.OpenAI, fp.Anthropic
ROUTES = [  # (method, path pattern, API, Handler method name)
    ("POST", r"/v1/files", OPENAI, "upload_file"),
    ("GET", r"/v1/files/([^/]+)", OPENAI, "get_file"),
    ("GET", r"/v1/files/([^/]+)/content", OPENAI, "file_content"),
    ("DELETE", r"/v1/files/([^/]+)", OPENAI, "delete_file"),
    ("POST", r"/v1/batches", OPENAI, "create_batch"),
    ("GET", r"/v1/batches", OPENAI, "list_batches"),
    ("GET", r"/v1/batches/([^/]+)", OPENAI, "get_batch"),
    ("POST", r"/v1/batches/([^/]+)/cancel", OPENAI, "cancel_batch"),
    ("POST", r"/v1/messages/batches", ANTHROPIC, "create_message_batch"),
    ("GET", r"/v1/messages/batches", ANTHROPIC, "list_message_batches"),
    ("GET", r"/v1/messages/batches/([^/]+)", ANTHROPIC, "get_message_batch"),
    ("GET", r"/v1/messages/batches/([^/]+)/results", ANTHROPIC, "message_batch_results"),
    ("POST", r"/v1/messages/batches/([^/]+)/cancel", ANTHROPIC, "cancel_message_batch"),
]


def find_route(method, path):
    """(API instance, handler method name, path arguments) or None."""
    for m, pattern, api, name in ROUTES:
        match = re.fullmatch(pattern, path)
        if m == method and match:
            return api(), name, match.groups()
    return None


def openai_error(status, message, code=None, param=None):
    return status, fp.OpenAI.body(message, "invalid_request_error", code, param)


def anthropic_error(status, type_, message):
    _status, _headers, body = fp.Anthropic.err(status, type_, message)
    return status, body


class Handler(fp.Handler):
    """fake_provider's Handler plus the batch routes."""

    def do_GET(self):
        if not self.batch_route("GET"):
            super().do_GET()

    def do_POST(self):
        if not self.batch_route("POST"):
            super().do_POST()

    def do_DELETE(self):
        if not self.batch_route("DELETE"):
            self.send_whole(404, {}, {"error": "no route for DELETE " + self.path})

    # -- dispatch

    def batch_route(self, method):
        """Answers a batch API request; False when the path is not one (fake_provider answers it)."""
        found = find_route(method, urlsplit(self.path).path)
        if found is None:
            return False
        api, name, args = found
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.request_headers = {k.lower(): v for k, v in self.headers.items()}
        self.record(method, raw)
        refused = api.auth_error(self.request_headers) if ARGS.key else None
        if refused:
            status, extra, payload = refused
            self.send_whole(status, dict(api.headers, **extra), payload, api.json_type, api.dumps)
            return True
        status, payload = getattr(self, name)(raw, *args)
        self.reply(api, status, payload)
        return True

    def record(self, method, raw):
        content_type = self.headers.get("Content-Type") or ""
        body = parse_multipart(content_type, raw)
        if body is None and raw:
            try:
                body = json.loads(raw)
            except ValueError:
                body = raw.decode("utf-8", "replace")
        with fp.LOCK:
            fp.RECEIVED.append({"method": method, "path": self.path, "headers": self.request_headers,
                                "body": body})

    def reply(self, api, status, payload):
        if isinstance(payload, Raw):
            data = payload.text.encode()
            self.send_response(status)
            self.send_header("Content-Type", payload.content_type)
            for k, v in api.headers.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Connection", "close")
            self.end_headers()
            self.close_connection = True
            self.wfile.write(data)
        else:
            self.send_whole(status, dict(api.headers), payload, api.json_type, api.dumps)

    @staticmethod
    def json_body(raw):
        try:
            return json.loads(raw) if raw else None
        except ValueError:
            return None

    @property
    def port(self):
        return self.server.server_address[1]

    # -- OpenAI files

    def upload_file(self, raw):
        fields = parse_multipart(self.headers.get("Content-Type") or "", raw)
        if fields is None:
            return openai_error(400, "The request must be multipart/form-data.")
        if fields.get("purpose") != "batch":
            return openai_error(400, "'%s' is not one of ['fine-tune', 'assistants', 'batch', 'user_data', 'vision', "
                                "'evals'] - 'purpose'" % fields.get("purpose"), None, "purpose")
        upload = fields.get("file")
        if not isinstance(upload, dict):
            return openai_error(400, "'file' is a required property", None, "file")
        try:
            parse_input(upload["text"])
        except BadFile as e:
            code, message, param = e.args
            return openai_error(400, message, code, param)
        with STATE:
            return 200, store_file(upload["filename"], "batch", upload["text"])

    def stored_file(self, file_id):
        with STATE:
            return FILES.get(file_id)

    def no_file(self, file_id):
        return openai_error(404, "No such File object: " + file_id, None, "id")

    def get_file(self, raw, file_id):
        stored = self.stored_file(file_id)
        return (200, stored.meta) if stored else self.no_file(file_id)

    def file_content(self, raw, file_id):
        stored = self.stored_file(file_id)
        return (200, Raw("application/octet-stream", stored.text)) if stored else self.no_file(file_id)

    def delete_file(self, raw, file_id):
        with STATE:
            found = FILES.pop(file_id, None)
        return (200, {"id": file_id, "object": "file", "deleted": True}) if found else self.no_file(file_id)

    # -- OpenAI batches

    def create_batch(self, raw):
        body = fp.as_dict(self.json_body(raw))
        file_id = body.get("input_file_id")
        if body.get("endpoint") != ENDPOINT:
            return openai_error(400, "Invalid value for 'endpoint': this server supports only " + ENDPOINT, None,
                                "endpoint")
        if body.get("completion_window") != "24h":
            return openai_error(400, "Invalid value for 'completion_window': only '24h' is supported.", None,
                                "completion_window")
        with STATE:
            stored = FILES.get(file_id) if isinstance(file_id, str) else None
            if stored is None or stored.meta["purpose"] != "batch":
                return self.no_file(str(file_id))
            batch = Batch(new_id("batch_"), fp.OpenAI(), parse_input(stored.text),
                          times={"created": time.time()},
                          extra={"input_file_id": file_id, "metadata": body.get("metadata")})
            BATCHES[batch.id] = batch
            return 200, openai_batch(batch)

    def openai_batch_or_404(self, batch_id):
        batch = BATCHES.get(batch_id)
        if batch is None or not isinstance(batch.api, fp.OpenAI):
            return None, openai_error(404, "No batch found with id '%s'." % batch_id, None, "batch_id")
        return batch, None

    def list_batches(self, raw):
        with STATE:
            data = [openai_batch(b) for b in BATCHES.values() if isinstance(b.api, fp.OpenAI)]
        return 200, {"object": "list", "data": data, "first_id": data[0]["id"] if data else None,
                     "last_id": data[-1]["id"] if data else None, "has_more": False}

    def get_batch(self, raw, batch_id):
        with STATE:
            batch, missing = self.openai_batch_or_404(batch_id)
            if missing:
                return missing
            was_ended = batch.ended
            batch.advance(self, self.request_headers)
            if batch.ended and not was_ended:
                write_result_files(batch)
            return 200, openai_batch(batch)

    def cancel_batch(self, raw, batch_id):
        with STATE:
            batch, missing = self.openai_batch_or_404(batch_id)
            if missing:
                return missing
            if batch.ended:
                return openai_error(400, "Cannot cancel a batch with status '%s'." % batch.status)
            if batch.status != "cancelling":
                batch.cancel()
            return 200, openai_batch(batch)

    # -- Anthropic message batches

    def create_message_batch(self, raw):
        try:
            requests = check_anthropic_requests(self.json_body(raw))
        except fp.Invalid as e:
            return anthropic_error(400, "invalid_request_error", str(e))
        with STATE:
            batch = Batch(new_id("msgbatch_"), fp.Anthropic(), requests, status="in_progress",
                          times={"created": time.time()})
            BATCHES[batch.id] = batch
            return 200, anthropic_batch(batch, self.port)

    def message_batch_or_404(self, batch_id):
        batch = BATCHES.get(batch_id)
        if batch is None or not isinstance(batch.api, fp.Anthropic):
            return None, anthropic_error(404, "not_found_error", "message_batch not found: " + batch_id)
        return batch, None

    def list_message_batches(self, raw):
        with STATE:
            data = [anthropic_batch(b, self.port) for b in BATCHES.values() if isinstance(b.api, fp.Anthropic)]
        return 200, {"data": data, "has_more": False, "first_id": data[0]["id"] if data else None,
                     "last_id": data[-1]["id"] if data else None}

    def get_message_batch(self, raw, batch_id):
        with STATE:
            batch, missing = self.message_batch_or_404(batch_id)
            if missing:
                return missing
            batch.advance(self, self.request_headers)
            return 200, anthropic_batch(batch, self.port)

    def message_batch_results(self, raw, batch_id):
        with STATE:
            batch, missing = self.message_batch_or_404(batch_id)
            if missing:
                return missing
            if not batch.ended:
                return anthropic_error(400, "invalid_request_error", "Message Batch %s has not ended yet; its "
                                       "results are available once processing_status is 'ended'." % batch_id)
            return 200, Raw("application/binary", anthropic_results(batch))

    def cancel_message_batch(self, raw, batch_id):
        with STATE:
            batch, missing = self.message_batch_or_404(batch_id)
            if missing:
                return missing
            if batch.ended:
                return anthropic_error(400, "invalid_request_error",
                                       "Message Batch %s has already ended and cannot be canceled." % batch_id)
            if batch.status != "cancelling":
                batch.cancel()
            return 200, anthropic_batch(batch, self.port)


def main():
    global ARGS
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--key", help="API key every request must carry in its format's auth header")
    parser.add_argument("--polls-before-done", type=int, default=3, metavar="N",
                        help="GETs of a batch until it has ended (default 3)")
    parser.add_argument("--expire", nargs="+", action="extend", default=[], metavar="CUSTOM_ID",
                        help="custom_ids never processed: expired when their batch ends")
    ARGS = parser.parse_args()
    ARGS.expire = set(ARGS.expire)
    fp.ARGS = ARGS  # fake_provider's reply logic reads its own ARGS (the key)
    server = fp.Server(("127.0.0.1", ARGS.port), Handler)
    print("PORT", server.server_address[1], flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
