"""Job functions, named by their import path: `@task()` makes a function enqueueable."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import OperationalError

# Failures worth another try: a database briefly locked or away, a network blip.
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (
    OperationalError,
    ConnectionError,
    TimeoutError,
)


@dataclass(frozen=True)
class Task:
    """A job function and how to run it."""

    name: str
    function: Callable[..., list[str] | None]
    retry_on: tuple[type[BaseException], ...]
    attempts: int
    timeout_seconds: int


_TASKS: dict[str, Task] = {}


def task(
    *,
    retry_on: tuple[type[BaseException], ...] = (),
    attempts: int = 3,
    timeout_seconds: int = 3600,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a job function under its import path ("seeder.jobs.sync").

    The function takes `progress` (a JobProgress) and the job's JSON arguments
    as keywords, commits its own work, and returns summary lines (or None).
    Its SQLite transactions take the write lock when they begin, so it ends
    them (commit or rollback) before any long wait, such as a network call.
    Errors of the `retry_on` types, and the transient ones every job shares,
    are tried again with backoff, up to `attempts` runs in all.
    """

    def register(function: Callable[..., Any]) -> Callable[..., Any]:
        name = f"{function.__module__}.{function.__qualname__}"
        _TASKS[name] = Task(
            name=name,
            function=function,
            retry_on=TRANSIENT_ERRORS + retry_on,
            attempts=max(1, attempts),
            timeout_seconds=timeout_seconds,
        )
        function.job_name = name  # type: ignore[attr-defined]
        return function

    return register


def get(name: str) -> Task | None:
    """The task called `name`, importing its module on first use (as a worker must)."""
    if name not in _TASKS:
        module = name.rpartition(".")[0]
        try:
            importlib.import_module(module)
        except ImportError:
            return None
    return _TASKS.get(name)


def name_of(function: Callable[..., Any]) -> str:
    """The job name of a function decorated with @task()."""
    name = getattr(function, "job_name", None)
    if name is None:
        raise TypeError(f"{function!r} is not a job function (decorate it with @task()).")
    return name
