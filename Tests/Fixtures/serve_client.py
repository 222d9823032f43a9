#!/usr/bin/env python3
"""The `openai` SDK as llm-serve's client, for the end-to-end tests.

  serve_client.py MODE BASE_URL MODEL PROMPT [N]

MODE: unary | stream | concurrent (N streams at once) | error (the status and exception the SDK raised) |
retrieve (models.retrieve(MODEL)) | litellm-error (the exception LiteLLM's SDK raised; PROMPT unused).
The key comes from SERVE_KEY (default "none"), extra headers from SERVE_HEADERS (a JSON object),
the body's "user" from SERVE_USER. Prints one JSON object (concurrent: a list) on stdout.
"""
import json
import os
import sys
import threading
import time

import openai


def client():
    return openai.OpenAI(base_url=sys.argv[2], api_key=os.environ.get("SERVE_KEY", "none"), max_retries=0, timeout=60,
                         default_headers=json.loads(os.environ.get("SERVE_HEADERS", "{}")))


def extra():
    return {"user": os.environ["SERVE_USER"]} if "SERVE_USER" in os.environ else {}


def messages():
    return [{"role": "user", "content": sys.argv[4]}]


def unary():
    reply = client().chat.completions.create(model=sys.argv[3], messages=messages(), **extra())
    choice = reply.choices[0]
    return {"content": choice.message.content, "finish_reason": choice.finish_reason, "model": reply.model,
            "object": reply.object, "usage": reply.usage.model_dump() if reply.usage else None,
            "tool_calls": [c.model_dump() for c in choice.message.tool_calls or []]}


def stream():
    start = time.monotonic()
    first = None
    content, finish, usage, chunks = "", None, None, 0
    events = client().chat.completions.create(model=sys.argv[3], messages=messages(), stream=True,
                                              stream_options={"include_usage": True}, **extra())
    for chunk in events:
        chunks += 1
        if chunk.usage:
            usage = chunk.usage.model_dump()
        for choice in chunk.choices:
            if choice.delta.content:
                if first is None:
                    first = time.monotonic() - start
                content += choice.delta.content
            if choice.finish_reason:
                finish = choice.finish_reason
    return {"content": content, "finish_reason": finish, "usage": usage, "chunks": chunks,
            "first_content_s": first, "total_s": time.monotonic() - start}


def concurrent():
    results = [None] * int(sys.argv[5])

    def one(i):
        try:
            results[i] = stream()["content"]
        except Exception as error:  # noqa: BLE001 - reported, not raised, so every thread is counted
            results[i] = {"error": repr(error)}

    threads = [threading.Thread(target=one, args=(i,)) for i in range(len(results))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def error():
    try:
        unary()
    except openai.APIStatusError as failure:
        return {"status": failure.status_code, "body": failure.body, "exception": type(failure).__name__}
    return {"status": 200}


def retrieve():
    model = client().models.retrieve(sys.argv[3])
    return {"id": model.id, "object": model.object, "owned_by": model.owned_by}


def litellm_error():
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    import contextlib

    import litellm  # only the LiteLLM environment has it, and it takes seconds to import

    litellm.suppress_debug_info = True
    try:
        # LiteLLM prints its help banner on stdout, which is this script's answer.
        with contextlib.redirect_stdout(sys.stderr):
            litellm.completion(model="openai/" + sys.argv[3], api_base=sys.argv[2], api_key=os.environ.get("SERVE_KEY", "none"),
                               messages=messages(), num_retries=0)
    except Exception as failure:  # noqa: BLE001 - which class LiteLLM chose is the answer
        return {"exception": type(failure).__name__, "status": getattr(failure, "status_code", None)}
    return {"exception": None}


if __name__ == "__main__":
    print(json.dumps({"unary": unary, "stream": stream, "concurrent": concurrent, "error": error, "retrieve": retrieve,
                      "litellm-error": litellm_error}[sys.argv[1]]()))
