"""Texts from any OpenAI-compatible chat completions server, through the official client.

The client's own retries handle 429, 5xx, connection errors and timeouts with
exponential backoff from 0.5 s. A Retry-After over 0 and up to 120 s is waited
exactly; beyond 120 s the client gives up at once. What still fails after the
retries becomes a ProviderError whose message is safe to print.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import openai

from .base import ProviderError, ProviderUnusableError, Written

__all__ = ["OpenAIProvider", "ProviderError", "Written"]

# Low: factual texts, with little variety between reruns of the same prompt.
TEMPERATURE = 0.3
LONGEST_REASON = 160


class OpenAIProvider:
    """Writes texts with a chat model; thread-safe, so share one between workers."""

    name = "openai"

    def __init__(
        self,
        *,
        api_key: str | None,
        base_url: str | None,
        model: str,
        timeout: float = 60.0,
        max_retries: int = 4,
    ) -> None:
        self._model = model
        self._api_key = api_key
        self._timeout = timeout
        attempts = max_retries + 1
        self._attempts = f"{attempts} attempt" + ("s" if attempts != 1 else "")
        # Local servers (Ollama, llama.cpp, vLLM) need no key, but the client insists on one.
        self._client = openai.OpenAI(
            api_key=api_key or "not-needed",
            base_url=base_url,
            timeout=timeout,
            max_retries=max_retries,
        )
        self._server = _host_of(str(self._client.base_url))

    @property
    def model(self) -> str:
        """The model asked for in every request."""
        return self._model

    def write(self, *, system: str, prompt: str, max_tokens: int) -> Written:
        """One chat completion: the stripped answer and its token usage."""
        try:
            completion = self._client.chat.completions.create(
                model=self._model,
                messages=[
                    {"role": "system", "content": system},
                    {"role": "user", "content": prompt},
                ],
                max_tokens=max_tokens,
                temperature=TEMPERATURE,
            )
        # The error texts are built here, not taken from the exceptions, so no
        # traceback, header or key can reach a log.
        except openai.APITimeoutError:
            raise ProviderError(
                f"{self._server} timed out (no answer within {self._timeout:g} s, {self._attempts})"
            ) from None
        except openai.APIConnectionError:
            raise ProviderUnusableError(
                f"could not connect to {self._server} ({self._attempts})"
            ) from None
        except openai.APIStatusError as error:
            # A wrong key, a forbidden or unknown model fails every request alike.
            unusable = error.status_code in (401, 403, 404)
            problem = self._status_problem(error)
            raise (ProviderUnusableError if unusable else ProviderError)(problem) from None
        except openai.APIError as error:
            raise ProviderError(
                f"{self._server} sent a reply that is not a chat completion "
                f"({type(error).__name__})"
            ) from None
        return self._written(completion)

    def close(self) -> None:
        """Close pooled connections."""
        self._client.close()

    def _written(self, completion: Any) -> Written:
        choices = getattr(completion, "choices", None) or []
        message = getattr(choices[0], "message", None) if choices else None
        content = getattr(message, "content", None)
        body = content.strip() if isinstance(content, str) else ""
        if not body:
            reason = getattr(choices[0], "finish_reason", None) if choices else "no choices"
            raise ProviderError(
                f"{self._server} answered with empty content (finish reason: {reason})"
            )
        usage = getattr(completion, "usage", None)
        return Written(
            body=body,
            # The model the server says it used (often a dated snapshot) is the truer provenance.
            model=getattr(completion, "model", None) or self._model,
            tokens_in=_count(getattr(usage, "prompt_tokens", None)),
            tokens_out=_count(getattr(usage, "completion_tokens", None)),
        )

    def _status_problem(self, error: openai.APIStatusError) -> str:
        status = error.status_code
        hint = {
            401: "check OPENAI_API_KEY",
            403: "check OPENAI_API_KEY",
            404: f"check OPENAI_MODEL ({self._model}) and OPENAI_BASE_URL",
            429: f"throttled or out of quota, after {self._attempts}",
        }.get(status)
        if hint is None and status >= 500:
            hint = f"server error, after {self._attempts}"
        reason = _server_message(error.body)
        if reason and self._api_key:
            reason = reason.replace(self._api_key, "***")
        details = "; ".join(part for part in (hint, reason) if part)
        return f"{self._server} answered {status}" + (f": {details}" if details else "")


def _server_message(body: object) -> str:
    """The server's own one-line explanation, if it gave one, cut short."""
    if isinstance(body, dict):
        inner = body.get("error", body)
        body = inner.get("message") if isinstance(inner, dict) else inner
    if not isinstance(body, str):
        return ""
    line = " ".join(body.split())
    return line if len(line) <= LONGEST_REASON else line[: LONGEST_REASON - 1] + "…"


def _host_of(url: str) -> str:
    """host:port only: a base URL may carry credentials or tokens in its userinfo or query."""
    parts = urlsplit(url)
    host = parts.hostname or "the server"
    return f"{host}:{parts.port}" if parts.port else host


def _count(value: object) -> int:
    return value if isinstance(value, int) and value > 0 else 0
