"""`flask users create`, `list`, `set-password` and `role`."""

from sqlalchemy import select

from app.models import Role, User
from tests.factories import make_user


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
    make_user("bea").role = Role.admin
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


def test_role_makes_a_member_an_editor_and_back(runner, db):
    make_user("ana")
    db.session.commit()

    made = runner.invoke(args=["users", "role", "ANA", "editor"])
    again = runner.invoke(args=["users", "role", "ana", "editor"])
    listed = runner.invoke(args=["users", "list"])
    back = runner.invoke(args=["users", "role", "ana", "member"])

    assert made.exit_code == 0, made.output
    assert made.output == "ana is now an editor.\n"
    assert again.output == "ana is already an editor.\n"
    assert "editor" in listed.output
    assert back.output == "ana is now a member.\n"
    db.session.expire_all()
    assert db.session.scalar(select(User.role).where(User.username == "ana")) is Role.member


def test_role_refuses_an_unknown_user_or_role_cleanly(runner, db):
    make_user("ana")
    db.session.commit()

    nobody = runner.invoke(args=["users", "role", "zed", "editor"])
    no_such_role = runner.invoke(args=["users", "role", "ana", "overlord"])

    assert nobody.exit_code == 1
    assert "There is no user called zed." in nobody.output
    assert no_such_role.exit_code == 2
    assert "'overlord' is not one of 'member', 'editor', 'admin'" in no_such_role.output
    assert "Traceback" not in nobody.output + no_such_role.output


def test_role_keeps_the_last_admin(runner, db):
    make_user("ana").role = Role.admin
    db.session.commit()

    result = runner.invoke(args=["users", "role", "ana", "member"])

    assert result.exit_code == 1
    assert "ana is the only admin: make someone else admin first." in result.output
