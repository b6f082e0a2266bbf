"""What the stand-in HTTP servers (TMDB, OpenAI) share."""

from __future__ import annotations

from collections.abc import Mapping
from http.server import BaseHTTPRequestHandler


def send_json(
    handler: BaseHTTPRequestHandler,
    status: int,
    payload: bytes,
    headers: Mapping[str, str],
    content_type: str = "application/json",
) -> None:
    """Answer with a JSON body; a client that already gave up (a timeout test) is ignored."""
    try:
        handler.send_response(status)
        handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(payload)))
        for name, value in headers.items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(payload)
    except (BrokenPipeError, ConnectionResetError):
        pass
