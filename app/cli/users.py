"""`flask users …`: manage accounts from the command line."""

from __future__ import annotations

import click

from ..infra.db import db
from ..services import accounts


@click.group("users", help="Manage user accounts.")
def group() -> None:
    """Manage user accounts."""


@group.command("create")
@click.option("--email", required=True, help="The account's email address.")
@click.option("--username", required=True, help="The public username.")
@click.option("--admin", is_flag=True, help="Give the account operator rights.")
@click.password_option(help="Asked for with a hidden prompt when not given.")
def create(email: str, username: str, admin: bool, password: str) -> None:
    """Create an account with a confirmed email."""
    try:
        user = accounts.create(email=email, username=username, password=password)
    except accounts.AccountError as error:
        raise click.ClickException(str(error)) from None
    user.is_admin = admin
    user.email_confirmed_at = accounts.utcnow()
    db.session.commit()
    click.echo(f"Created {'admin ' if admin else ''}user {user.username} <{user.email}>.")
