"""`flask users …`: manage accounts from the command line."""

from __future__ import annotations

import click
from sqlalchemy import select

from ..infra.db import db
from ..models import User
from ..services import accounts
from .database import needs_migrated_database


@click.group("users", help="Manage user accounts.")
def group() -> None:
    """Manage user accounts."""


@group.command("create")
@click.option("--email", required=True, help="The account's email address.")
@click.option("--username", required=True, help="The public username.")
@click.option("--admin", is_flag=True, help="Give the account operator rights.")
@click.password_option(help="Asked for with a hidden prompt when not given.")
@needs_migrated_database
def create(email: str, username: str, admin: bool, password: str) -> None:
    """Create an account with a confirmed email."""
    try:
        user = accounts.create(
            email=email, username=username, password=password, admin=admin, confirmed=True
        )
    except accounts.AccountError as error:
        raise click.ClickException(error.message) from None
    db.session.commit()
    click.echo(f"Created {'admin ' if admin else ''}user {user.username} <{user.email}>.")


@group.command("list")
@needs_migrated_database
def list_users() -> None:
    """Every account: username, email, and whether it is confirmed, admin, two-factor."""
    users = db.session.scalars(select(User).order_by(User.username_key)).all()
    if not users:
        click.echo("No accounts yet. Create one with `flask users create`.")
        return
    width = max(len(user.username) for user in users)
    for user in users:
        flags = [
            "confirmed" if user.email_confirmed else "unconfirmed",
            *(["admin"] if user.is_admin else []),
            *(["2fa"] if user.two_factor_enabled else []),
            *([] if user.active else ["deactivated"]),
        ]
        last = user.last_login_at.strftime("%Y-%m-%d %H:%M") if user.last_login_at else "never"
        click.echo(f"{user.username:<{width}}  {user.email}  {', '.join(flags)}  last login {last}")


@group.command("set-password")
@click.argument("username")
@click.password_option(help="Asked for with a hidden prompt when not given.")
@needs_migrated_database
def set_password(username: str, password: str) -> None:
    """Give an account a new password; its sessions end."""
    user = accounts.get_by_username(username)
    if user is None:
        raise click.ClickException(f"There is no user called {username}.")
    try:
        accounts.set_password(user, password)
    except accounts.AccountError as error:
        raise click.ClickException(error.message) from None
    db.session.commit()
    click.echo(f"Set a new password for {user.username}; their sessions have ended.")
