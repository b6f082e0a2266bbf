"""Encrypted columns: value cost and `flask crypto reencrypt` throughput.

    python -m bench.crypto [--rows 100000] [--runs 3] [--database-url postgresql://…]

Times the keyring's encrypt and decrypt per value, then a real
`flask crypto reencrypt` process over `--rows` users with a TOTP secret each,
on a fresh SQLite database (and on PostgreSQL when --database-url names an
empty database, which the benchmark fills and empties). Each run follows a
`rotate`, so every row is stale. Prints medians as a Markdown table.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import flask_migrate
from sqlalchemy import delete, insert

from app import create_app
from app.infra import crypto
from app.infra.db import db
from app.models import User

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "bench" / "results" / "crypto"
FLASK = [sys.executable, "-m", "flask"]


def per_value_microseconds(keyring: crypto.Keyring, count: int = 20_000) -> tuple[float, float]:
    """Median-of-5 microseconds to encrypt, and to decrypt, one 32-character secret."""
    plaintext = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    encrypt_times, decrypt_times = [], []
    for _ in range(5):
        started = time.perf_counter()
        stored = [keyring.encrypt(plaintext) for _ in range(count)]
        encrypt_times.append((time.perf_counter() - started) / count * 1e6)
        started = time.perf_counter()
        for value in stored:
            keyring.decrypt(value)
        decrypt_times.append((time.perf_counter() - started) / count * 1e6)
    return statistics.median(encrypt_times), statistics.median(decrypt_times)


def fill(app, rows: int) -> None:
    """`rows` users whose TOTP secrets are encrypted with the active key."""
    with app.app_context():
        flask_migrate.upgrade(directory=str(ROOT / "migrations"))
        db.session.execute(delete(User))
        keyring = app.extensions["marquee.keyring"]
        batch = []
        for number in range(rows):
            batch.append(
                {
                    "username": f"user{number}",
                    "username_key": f"user{number}",
                    "email": f"user{number}@example.com",
                    "password_hash": "x",
                    "totp_secret": keyring.encrypt(f"SECRET{number:07d}"),
                }
            )
            if len(batch) == 5_000:
                db.session.execute(insert(User.__table__), batch)
                batch = []
        if batch:
            db.session.execute(insert(User.__table__), batch)
        db.session.commit()


def reencrypt_runs(instance: Path, database_url: str, rows: int, runs: int) -> list[float]:
    """Rows per second of `flask crypto reencrypt`, one run per rotation."""
    environment = {
        **{
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("FLASK_", "MARQUEE_", "DATABASE_URL"))
        },
        "MARQUEE_ENV": "test",
        "MARQUEE_INSTANCE_PATH": str(instance),
        "DATABASE_URL": database_url,
    }
    rates = []
    for _ in range(runs):
        subprocess.run([*FLASK, "crypto", "rotate"], cwd=ROOT, env=environment, check=True)
        started = time.perf_counter()
        subprocess.run(
            [*FLASK, "crypto", "reencrypt"],
            cwd=ROOT,
            env=environment,
            check=True,
            capture_output=True,
        )
        rates.append(rows / (time.perf_counter() - started))
    return rates


def run(backend: str, database_url: str, rows: int, runs: int) -> list[str]:
    """Table rows for one database."""
    instance = WORK / backend / "instance"
    shutil.rmtree(instance.parent, ignore_errors=True)
    instance.mkdir(parents=True)
    crypto.initialize(instance, secret_key="b" * 48)
    app = create_app(
        {
            "MARQUEE_ENV": "test",
            "INSTANCE_PATH": str(instance),
            "SQLALCHEMY_DATABASE_URI": database_url,
        }
    )
    fill(app, rows)
    rates = reencrypt_runs(instance, database_url, rows, runs)
    with app.app_context():
        db.session.execute(delete(User))
        db.session.commit()
        db.engine.dispose()
    return [
        f"| reencrypt {rows:,} rows, {backend} (whole process, batch 500) | "
        f"{statistics.median(rates):,.0f} rows/s ({rows / statistics.median(rates):.1f} s) |"
    ]


def main() -> None:
    """Run the benchmark and print a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--database-url", default=None, help="an empty PostgreSQL database")
    arguments = parser.parse_args()

    instance = WORK / "values" / "instance"
    shutil.rmtree(instance.parent, ignore_errors=True)
    keyring = crypto.initialize(instance, secret_key="b" * 48).environment.keyring()
    encrypt_us, decrypt_us = per_value_microseconds(keyring)

    lines = [
        f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}",
        "",
        "| benchmark | result (median) |",
        "|---|---|",
        f"| encrypt one value (32 characters) | {encrypt_us:.1f} µs |",
        f"| decrypt one value | {decrypt_us:.1f} µs |",
    ]
    sqlite_url = f"sqlite:///{WORK / 'sqlite.sqlite3'}"
    Path(WORK / "sqlite.sqlite3").unlink(missing_ok=True)
    lines += run("SQLite", sqlite_url, arguments.rows, arguments.runs)
    if arguments.database_url:
        lines += run("PostgreSQL", arguments.database_url, arguments.rows, arguments.runs)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
