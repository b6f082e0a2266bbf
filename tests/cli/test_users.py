"""`flask users create`."""

from sqlalchemy import select

from app.models import User


def test_create_user_from_the_command_line(runner, db):
    result = runner.invoke(
        args=["users", "create", "--email", "op@example.com", "--username", "op", "--admin"],
        input="a long enough password\na long enough password\n",
    )

    assert result.exit_code == 0, result.output
    assert "Created admin user op <op@example.com>." in result.output
    user = db.session.scalar(select(User).where(User.username == "op"))
    assert user.is_admin
    assert user.email_confirmed_at is not None


def test_create_user_reports_a_refusal_cleanly(runner, db):
    result = runner.invoke(
        args=["users", "create", "--email", "nope", "--username", "op", "--password", "x" * 12]
    )
    assert result.exit_code == 1
    assert "Error: Enter a valid email address." in result.output
    assert "Traceback" not in result.output
