"""Choosing a provider: the OpenAI-compatible client when configured, else the offline writer."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from .base import Prompt, ProviderError, Written
from .offline import OfflineWriter
from .openai_provider import OpenAIProvider

PROVIDERS = ("openai", "offline")


class OpenAIWriter:
    """The openai client behind the same write(prompt) as the offline writer."""

    name = "openai"

    def __init__(self, client: OpenAIProvider) -> None:
        self._client = client

    @property
    def model(self) -> str:
        """The model asked."""
        return self._client.model

    def write(self, prompt: Prompt) -> Written:
        """One text from the model."""
        return self._client.write(
            system=prompt.system, prompt=prompt.user, max_tokens=prompt.max_tokens
        )


def from_config(
    config: Mapping[str, Any], asked: str | None = None
) -> OpenAIWriter | OfflineWriter:
    """`asked`, or openai when a key or base URL is set, else offline."""
    configured = bool(config.get("OPENAI_API_KEY") or config.get("OPENAI_BASE_URL"))
    name = asked or ("openai" if configured else "offline")
    if name == "offline":
        return OfflineWriter()
    if not configured:
        raise ProviderError(
            "The openai provider needs OPENAI_API_KEY (hosted) or OPENAI_BASE_URL (a local "
            "OpenAI-compatible server such as Ollama); set one, or use --provider offline."
        )
    base_url = config.get("OPENAI_BASE_URL")
    if base_url:
        _check_base_url(str(base_url))
    try:
        client = OpenAIProvider(
            api_key=config.get("OPENAI_API_KEY"),
            base_url=base_url,
            model=config["OPENAI_MODEL"],
            timeout=float(config.get("OPENAI_TIMEOUT", 60.0)),
        )
    except Exception as error:  # the client refuses what it cannot use; say so plainly
        raise ProviderError(f"The openai client cannot start: {type(error).__name__}.") from None
    return OpenAIWriter(client)


def _check_base_url(url: str) -> None:
    """Refuse an OPENAI_BASE_URL that is not an http(s) address with a host (and a number port)."""
    problem = None
    try:
        parts = urlsplit(url)
        _port = parts.port
    except ValueError:
        problem = "its port is not a number"
    else:
        if parts.scheme not in ("http", "https") or not parts.hostname:
            problem = "it must start with http:// or https:// and name a host"
    if problem:
        raise ProviderError(
            f"OPENAI_BASE_URL cannot be used: {problem} (e.g. http://127.0.0.1:11434/v1)."
        )
