"""Throughput under gunicorn: requests/s with wrk, and the workers' peak memory.

Used by bench.scale. gunicorn runs with gunicorn.conf.py's settings (workers,
threads, preload) on a free loopback port, serving bench.wsgi: the site plus a
minimal page that renders the base template with no data, the baseline a
page's rate is compared with.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.support import free_port

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).parent / "gunicorn"
REQUESTS_DONE = re.compile(r"(\d+) requests in ([\d.]+)(ms|s|m)\b")
SECONDS_PER_UNIT = {"ms": 0.001, "s": 1, "m": 60}
NOT_OK = re.compile(r"Non-2xx or 3xx responses: (\d+)")
SOCKET_ERRORS = re.compile(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")
RANDOM_PATHS_SCRIPT = ROOT / "bench" / "random_paths.lua"
PEAK_RESIDENT = re.compile(r"^VmHWM:\s+(\d+) kB$", re.MULTILINE)


@contextmanager
def gunicorn(environment: dict[str, str]) -> Iterator[tuple[str, int]]:
    """Serve bench.wsgi under gunicorn; yield its base URL and the master's process id."""
    port = free_port()
    server = subprocess.Popen(
        [str(GUNICORN), "--config", "gunicorn.conf.py", "bench.wsgi:app"],
        cwd=ROOT,
        env={
            **environment,
            "MARQUEE_BIND": f"127.0.0.1:{port}",
            # No recycling: the memory read after the run is of workers that served it all.
            "MARQUEE_MAX_REQUESTS": "0",
            "MARQUEE_GUNICORN_LOG_LEVEL": "warning",
        },
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_serving(base_url, server)
        yield base_url, server.pid
    finally:
        server.terminate()
        server.wait(timeout=60)


def _wait_until_serving(base_url: str, server: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with status {server.returncode}")
        try:
            minimal = f"{base_url}/bench/minimal"
            with urllib.request.urlopen(minimal, timeout=5) as response:  # noqa: S310 (http, ours)
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"gunicorn did not answer on {base_url} within {timeout:.0f} s")


def etag(url: str) -> str:
    """The ETag a page is sent with, to ask for it again as a browser revalidating would."""
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 (http, ours)
        return response.headers["ETag"]


def wrk(
    url: str,
    seconds: float,
    headers: dict[str, str],
    *,
    paths: Path | None = None,
    connections: int = 8,
    threads: int = 2,
) -> dict[str, float]:
    """One wrk run: requests, seconds, and failed requests (non-2xx/3xx and socket errors).

    With `paths` (a file, one path a line) each request takes one at random.
    """
    sent = [option for name, value in headers.items() for option in ("-H", f"{name}: {value}")]
    if paths is not None:
        sent += ["-s", str(RANDOM_PATHS_SCRIPT)]
    picked = ["--", str(paths)] if paths is not None else []
    output = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds:g}s", *sent, url, *picked],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    done = REQUESTS_DONE.search(output)
    if not done:
        raise SystemExit(f"cannot read wrk's output:\n{output}")
    elapsed = float(done.group(2)) * SECONDS_PER_UNIT[done.group(3)]
    not_ok = NOT_OK.search(output)
    socket_errors = SOCKET_ERRORS.search(output)
    failed = int(not_ok.group(1)) if not_ok else 0
    failed += sum(map(int, socket_errors.groups())) if socket_errors else 0
    return {"requests": int(done.group(1)), "seconds": elapsed, "errors": failed}


Load = tuple[str, dict[str, str], Path | None]  # path (or base), headers, file of paths


def rates(base_url: str, requests: dict[str, Load], seconds: float, rounds: int = 2) -> dict:
    """Requests/s and errors for each (path, headers, paths), in alternating rounds after a warm-up.

    Alternating spreads a slow spell of the machine over every request alike,
    as bench.pages does for server times.
    """
    for path, headers, paths in requests.values():
        wrk(base_url + path, 2, headers, paths=paths)
    totals = {name: {"requests": 0, "seconds": 0.0, "errors": 0} for name in requests}
    for _ in range(rounds):
        for name, (path, headers, paths) in requests.items():
            measured = wrk(base_url + path, seconds / rounds, headers, paths=paths)
            for key, value in measured.items():
                totals[name][key] += value
    return {
        name: {"rate": total["requests"] / total["seconds"], "errors": total["errors"]}
        for name, total in totals.items()
    }


def peak_worker_memory(master_pid: int) -> float:
    """The largest peak resident memory (VmHWM, MB) among the master's worker processes."""
    peaks = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue  # the process ended meanwhile
        if re.search(rf"^PPid:\s+{master_pid}$", text, re.MULTILINE):
            peaks.append(int(PEAK_RESIDENT.search(text).group(1)) / 1024)
    if not peaks:
        raise SystemExit("no gunicorn worker found")
    return max(peaks)
