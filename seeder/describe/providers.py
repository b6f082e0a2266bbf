"""Choosing a provider: the OpenAI-compatible client when configured, else the offline writer."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

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
    return OpenAIWriter(
        OpenAIProvider(
            api_key=config.get("OPENAI_API_KEY"),
            base_url=config.get("OPENAI_BASE_URL"),
            model=config["OPENAI_MODEL"],
            timeout=float(config.get("OPENAI_TIMEOUT", 60.0)),
        )
    )
