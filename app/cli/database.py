"""What commands that read or write the catalog check first: a migrated database."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

import click

from ..infra.db import schema_problem

F = TypeVar("F", bound=Callable[..., Any])


def needs_migrated_database(command: F) -> F:
    """Run `command` only against a database at this code's migration; else one clear line.

    A missing, unreachable or older database would otherwise end in a
    SQLAlchemy traceback partway through the command.
    """

    @functools.wraps(command)
    def checked(*args: Any, **kwargs: Any) -> Any:
        problem = schema_problem()
        if problem is not None:
            raise click.ClickException(str(problem))
        return command(*args, **kwargs)

    return checked  # type: ignore[return-value]
