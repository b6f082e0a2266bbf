"""`flask users …`: manage accounts from the command line."""

from __future__ import annotations

import click
from sqlalchemy import select

from ..infra.db import db
from ..models import Role, User
from ..services import accounts, roles
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
    """Every account: username, email, and whether it is confirmed, editor or admin, two-factor."""
    users = db.session.scalars(select(User).order_by(User.username_key)).all()
    if not users:
        click.echo("No accounts yet. Create one with `flask users create`.")
        return
    width = max(len(user.username) for user in users)
    for user in users:
        flags = [
            "confirmed" if user.email_confirmed else "unconfirmed",
            *([user.role.value] if user.role is not Role.member else []),
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
    user = _user_called(username)
    try:
        accounts.set_password(user, password)
    except accounts.AccountError as error:
        raise click.ClickException(error.message) from None
    db.session.commit()
    click.echo(f"Set a new password for {user.username}; their sessions have ended.")


@group.command("role")
@click.argument("username")
@click.argument("role", type=click.Choice([role.value for role in Role]))
@needs_migrated_database
def set_role(username: str, role: str) -> None:
    """Make an account a member, an editor (edits the catalog) or an admin (also gives roles)."""
    user = _user_called(username)
    try:
        changed = roles.set_role(user=user, role=Role(role))
    except roles.RoleError as error:
        raise click.ClickException(error.message) from None
    db.session.commit()
    article = "an" if role in ("editor", "admin") else "a"
    click.echo(f"{user.username} is {'now' if changed else 'already'} {article} {role}.")


def _user_called(username: str) -> User:
    """The account with this username, or a clean error naming it."""
    user = accounts.get_by_username(username)
    if user is None:
        raise click.ClickException(f"There is no user called {username}.")
    return user
