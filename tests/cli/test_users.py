"""`flask users create`."""

from sqlalchemy import select

from app.models import User


def test_create_user_from_the_command_line(runner, db):
    result = runner.invoke(
        args=["users", "create", "--email", "op@example.com", "--username", "operator", "--admin"],
        input="a long enough password\na long enough password\n",
    )

    assert result.exit_code == 0, result.output
    assert "Created admin user operator <op@example.com>." in result.output
    user = db.session.scalar(select(User).where(User.username == "operator"))
    assert user.is_admin
    assert user.email_confirmed_at is not None


def test_create_user_reports_a_refusal_cleanly(runner, db):
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "nope",
            "--username",
            "operator",
            "--password",
            "x" * 12,
        ]
    )
    assert result.exit_code == 1
    assert "Error: Enter a valid email address." in result.output
    assert "Traceback" not in result.output


def test_list_users_shows_their_state(runner, db):
    from tests.factories import make_user

    make_user("bea").is_admin = True
    make_user("ana")
    db.session.commit()

    result = runner.invoke(args=["users", "list"])

    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("ana ")
    assert "unconfirmed" in lines[0]
    assert "admin" in lines[1]
    assert "last login never" in lines[1]


def test_list_users_when_there_are_none(runner, db):
    result = runner.invoke(args=["users", "list"])
    assert "No accounts yet" in result.output


def test_set_password_ends_sessions_and_checks_the_policy(runner, db):
    from app.services import accounts
    from tests.factories import make_user

    user = make_user("ana")
    db.session.commit()
    token = user.session_token

    weak = runner.invoke(args=["users", "set-password", "ana", "--password", "password123"])
    done = runner.invoke(
        args=["users", "set-password", "ANA"], input="a brand new passphrase\n" * 2
    )
    missing = runner.invoke(args=["users", "set-password", "nobody", "--password", "x" * 20])

    assert weak.exit_code == 1
    assert "most common ones" in weak.output
    assert done.exit_code == 0, done.output
    assert "their sessions have ended" in done.output
    db.session.refresh(user)
    assert user.session_token != token
    assert accounts.authenticate(identifier="ana", password="a brand new passphrase") is user
    assert missing.exit_code == 1
    assert "There is no user called nobody" in missing.output
