"""`flask` finds the app from the project folder, and bad settings stop it cleanly."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def run_flask(tmp_path, *args, **environment):
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("FLASK_", "MARQUEE_", "DATABASE_URL"))
    }
    env.update({"MARQUEE_INSTANCE_PATH": str(tmp_path), "MARQUEE_ENV": "test", **environment})
    return subprocess.run(
        [sys.executable, "-m", "flask", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize("app_option", [[], ["--app", "flask_app"]])
def test_flask_finds_the_app_with_or_without_app_option(tmp_path, app_option):
    result = run_flask(tmp_path, *app_option, "routes")
    assert result.returncode == 0, result.stderr
    assert "movies.detail" in result.stdout


def test_prod_without_a_secret_key_stops_with_a_message_not_a_traceback(tmp_path):
    result = run_flask(
        tmp_path, "routes", MARQUEE_ENV="prod", FLASK_BASE_URL="https://movies.example.org"
    )
    assert result.returncode == 1
    assert "Marquee cannot start: SECRET_KEY is not set for MARQUEE_ENV=prod" in result.stderr
    assert "Traceback" not in result.stderr
