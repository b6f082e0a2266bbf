"""The API against its own OpenAPI document: valid, and honoured by every answer.

Schemathesis generates requests from the document (valid and invalid ones,
then chains of them through its links) and sends them to the app served by
`flask run` on the suite's database backend, with the sample catalog and a
member's read-and-write token. Any server error, any answer the document does
not describe, any valid request refused or invalid one accepted fails the test.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys

from openapi_spec_validator import validate

from app.infra import crypto
from tests.support import ROOT, child_environment, flask_server, fuzz_cases, run_flask

SETTINGS = ROOT / "tests" / "api" / "schemathesis.toml"
# Per operation and phase; CI's full run sends about 1,500 requests in all.
EXAMPLES = os.environ.get("SCHEMATHESIS_EXAMPLES", "25")
MAKE_TOKEN = """
from sqlalchemy import select
from app import create_app
from app.infra.db import db
from app.models import User
from app.services import api_tokens
with create_app().app_context():
    member = db.session.scalar(select(User).where(User.username == "ana"))
    made = api_tokens.create(user=member, name="schemathesis", scopes={"read", "write"},
                             expires_in_days=None)
    db.session.commit()
    print(made.secret)
"""


def test_openapi_document_is_valid_openapi_3_1(client):
    response = client.get("/api/v1/openapi.json")

    assert response.status_code == 200
    document = response.get_json()
    assert document["openapi"] == "3.1.0"
    validate(document)  # raises on any violation of the OpenAPI 3.1 schema
    assert {tag["name"] for tag in document["tags"]} == {
        "movies",
        "people",
        "genres",
        "search",
        "me",
        "imports",
        "jobs",
    }


def test_schemathesis_finds_nothing_wrong_with_the_live_api(tmp_path, blank_database_url):
    instance = tmp_path / "instance"
    crypto.initialize(instance, secret_key="s" * 48)
    environment = child_environment(
        MARQUEE_INSTANCE_PATH=str(instance),
        MARQUEE_ENV="dev",
        DATABASE_URL=blank_database_url,
        FLASK_SEED_OUTPUT_DIR=str(tmp_path / "seed"),
        FLASK_API_RATE_LIMIT_PER_TOKEN="100000 per minute",
        FLASK_API_RATE_LIMIT_PER_ADDRESS="100000 per minute",
    )
    run_flask(environment, "db", "upgrade")
    run_flask(environment, "seed", "sample")
    run_flask(
        environment,
        "users",
        "create",
        "--email",
        "ana@example.com",
        "--username",
        "ana",
        "--password",
        "correct horse battery",
    )
    token = subprocess.run(
        [sys.executable, "-c", MAKE_TOKEN],
        cwd=ROOT,
        env=environment,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()

    with flask_server(environment, log=tmp_path / "server.log") as base:
        run = subprocess.run(
            [
                str(ROOT / ".venv" / "bin" / "st")
                if (ROOT / ".venv" / "bin" / "st").exists()
                else "st",
                "--config-file",
                str(SETTINGS),
                "run",
                f"{base}/api/v1/openapi.json",
                "--header",
                f"Authorization: Bearer {token}",
                "--checks",
                "all",
                "--max-examples",
                EXAMPLES,
                "--no-color",
            ],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=900,
        )
    output = run.stdout + run.stderr
    counted = re.search(r"(\d+) generated, (\d+) (?:passed|found)", output)
    assert counted, output[-3000:]
    fuzz_cases["schemathesis cases"] += int(counted.group(1))
    print(f"\nschemathesis: {counted.group(0)}")
    assert run.returncode == 0, output[-6000:]
    assert "Traceback" not in (tmp_path / "server.log").read_text()
