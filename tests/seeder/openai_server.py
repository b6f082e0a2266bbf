"""A small OpenAI-compatible chat completions server on 127.0.0.1, for the real client.

By default it answers every request with `answer_for(prompt)`, a deterministic
text built from the user message, with token usage and the requested model.
`answers` gives some subjects their own answer (a template where `{subject}`
is the prompt's subject), to answer as models do: in markdown, with chatter.
It records every request, and can be told to misbehave: queue replies (429 with
Retry-After, 500, slow, empty content) to serve before the normal one.
"""

from __future__ import annotations

import json
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

from tests.seeder.stand_in import LoopbackServer, send_json

PATHS = ("/v1/chat/completions", "/chat/completions")


def answer_for(prompt: str) -> str:
    """The default answer: says which prompt it answers, so tests can check it arrived."""
    first_line = prompt.strip().splitlines()[0] if prompt.strip() else ""
    return f"A description. It answers: {first_line[:80].rstrip(' .')}."


def subject_of(prompt: str) -> str | None:
    """The subject named on the prompt's `Subject:` line, if it has one."""
    for line in prompt.splitlines():
        if line.startswith("Subject: "):
            return line.removeprefix("Subject: ").strip()
    return None


@dataclass
class Reply:
    """One scripted reply; `content=None` means the normal answer."""

    status: int = 200
    content: str | None = None
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    usage: bool = True

    @classmethod
    def throttled(cls, retry_after: str = "0") -> Reply:
        """429, as a rate-limited API answers."""
        return cls(
            429,
            body=_error("Rate limit reached.", "rate_limit_exceeded"),
            headers={"Retry-After": retry_after},
        )

    @classmethod
    def failed(cls, status: int = 500) -> Reply:
        """A server error with an OpenAI-shaped error body."""
        return cls(status, body=_error("The server had an error.", "server_error"))

    @classmethod
    def slow(cls, seconds: float) -> Reply:
        """The normal answer, late."""
        return cls(delay=seconds)

    @classmethod
    def empty(cls) -> Reply:
        """A completion whose content is the empty string."""
        return cls(content="")


@dataclass
class Request:
    """What the server saw."""

    path: str
    body: dict[str, Any]
    headers: dict[str, str]
    at: float

    @property
    def messages(self) -> dict[str, str]:
        """Message content by role (system, user)."""
        return {message["role"]: message["content"] for message in self.body.get("messages", [])}


class OpenAIServer(LoopbackServer):
    """Start with `with OpenAIServer() as server:`; point the client at server.base_url."""

    def __init__(
        self,
        *,
        api_key: str | None = None,
        writer: Callable[[str], str] = answer_for,
        answers: Mapping[str, str] | None = None,
        latency: float = 0.0,
    ) -> None:
        self.api_key = api_key
        self.writer = writer
        self.answers = dict(answers or {})
        self.latency = latency
        self._scripted: deque[Reply] = deque()
        super().__init__(self._handler_class())

    @property
    def base_url(self) -> str:
        """The API root, like https://api.openai.com/v1."""
        return f"{self.origin}/v1"

    def script(self, *replies: Reply) -> None:
        """Serve these replies, in order, to the next requests."""
        with self._lock:
            self._scripted.extend(replies)

    def _answer(self, path: str, body: Any, headers: dict[str, str]) -> Reply:
        if path not in PATHS:
            return Reply(404, body=_error(f"Unknown path {path}.", "not_found"))
        if not isinstance(body, dict):
            return Reply(400, body=_error("The body is not a JSON object.", "invalid_request"))
        with self._lock:
            self.requests.append(Request(path, body, headers, time.monotonic()))
            scripted = self._scripted.popleft() if self._scripted else None
        if scripted is not None:
            return scripted
        if self.api_key is not None and headers.get("authorization") != f"Bearer {self.api_key}":
            return Reply(401, body=_error("Incorrect API key provided.", "invalid_api_key"))
        return Reply()

    def _completion(self, reply: Reply, request: dict[str, Any]) -> dict[str, Any]:
        messages = request.get("messages") or []
        prompt = next((m["content"] for m in messages if m.get("role") == "user"), "")
        content = self._content(prompt) if reply.content is None else reply.content
        completion: dict[str, Any] = {
            "id": "chatcmpl-test",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": request.get("model", "unknown"),
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": content},
                    "finish_reason": "stop",
                }
            ],
        }
        if reply.usage:
            tokens_in = sum(len(str(m.get("content", "")).split()) for m in messages)
            tokens_out = len(content.split())
            completion["usage"] = {
                "prompt_tokens": tokens_in,
                "completion_tokens": tokens_out,
                "total_tokens": tokens_in + tokens_out,
            }
        return completion

    def _content(self, prompt: str) -> str:
        subject = subject_of(prompt)
        template = self.answers.get(subject) if subject is not None else None
        if template is None:
            return self.writer(prompt)
        return template.replace("{subject}", subject or "")

    def _handler_class(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                try:
                    body = json.loads(self.rfile.read(length) or b"null")
                except ValueError:
                    body = None
                headers = {key.lower(): value for key, value in self.headers.items()}
                path = self.path.split("?", 1)[0]
                reply = server._answer(path, body, headers)
                time.sleep(server.latency + reply.delay)
                answer = reply.body if reply.body is not None else server._completion(reply, body)
                send_json(self, reply.status, json.dumps(answer).encode(), reply.headers)

            def log_message(self, *args: Any) -> None:
                pass

        return Handler


def _error(message: str, code: str) -> dict[str, Any]:
    return {"error": {"message": message, "type": code, "param": None, "code": code}}
