"""Mail: .eml files, the console, a real SMTP server, and nothing before the commit."""

from __future__ import annotations

import asyncio
import email
import email.policy
import ipaddress
import logging
import re
import ssl
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from flask import Flask
from sqlalchemy import select, text

from app import create_app
from app.infra import files, mail
from app.infra.config import ConfigError
from app.infra.db import db as database
from app.models import Genre
from tests.factories import make_genre
from tests.support import free_port, make_config

SENDER = "Marquee <noreply@marquee.test>"
MESSAGE = mail.Message(
    to="ana@example.com",
    subject="Confirm your email",
    text="Open https://marquee.test/confirm/abc to confirm your email.\n",
)
SMTP_LOGIN = "marquee"
SMTP_PASSWORD = "smtp-password"
WRONG_PASSWORD = "wrong-smtp-password"


def parse(raw: bytes) -> EmailMessage:
    """A mail as a mail client reads it."""
    return email.message_from_bytes(raw, policy=email.policy.default)


def subjects(app: Flask) -> list[str]:
    """The subjects of the mails in the outbox, oldest first."""
    return [parse(path.read_bytes())["Subject"] for path in mail.outbox(app)]


def logged(caplog: pytest.LogCaptureFixture, app: Flask, level: int = logging.DEBUG) -> list[str]:
    """The app's log lines at `level` and above, once pending mail has been delivered."""
    mail.drain()
    return [
        record.getMessage()
        for record in caplog.records
        if record.name == app.logger.name and record.levelno >= level
    ]


@pytest.fixture
def use_mail(app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Sets the session app's mail settings for one test; its outbox starts empty."""
    monkeypatch.setattr(app, "instance_path", str(tmp_path))
    monkeypatch.setitem(app.extensions, mail.EXTENSION, app.extensions.get(mail.EXTENSION))

    def configure(*, ssl_context: ssl.SSLContext | None = None, **settings) -> Flask:
        for name, value in settings.items():
            monkeypatch.setitem(app.config, name, value)
        mail.init_app(app, ssl_context=ssl_context)
        return app

    return configure


# A real SMTP server on 127.0.0.1 (aiosmtpd), and certificates for its TLS.


@dataclass(frozen=True)
class Delivery:
    """What the SMTP server was given."""

    sender: str
    recipients: list[str]
    message: EmailMessage
    over_tls: bool
    login: bytes | None


class Inbox:
    """An aiosmtpd handler that keeps every message, after an optional delay."""

    def __init__(self, delay: float = 0.0) -> None:
        self.delay = delay
        self.deliveries: list[Delivery] = []

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 (aiosmtpd's name)
        await asyncio.sleep(self.delay)
        self.deliveries.append(
            Delivery(
                sender=envelope.mail_from,
                recipients=list(envelope.rcpt_tos),
                message=parse(envelope.content.replace(b"\r\n", b"\n")),  # CRLF on the wire
                over_tls=session.ssl is not None,
                login=session.auth_data,
            )
        )
        return "250 Message accepted"


def accept_marquee(server, session, envelope, mechanism, auth_data) -> AuthResult:
    """Accepts SMTP_LOGIN with SMTP_PASSWORD, by PLAIN or LOGIN."""
    valid = isinstance(auth_data, LoginPassword) and auth_data == (
        SMTP_LOGIN.encode(),
        SMTP_PASSWORD.encode(),
    )
    # handled=False: aiosmtpd then answers 535 itself.
    return AuthResult(success=valid, handled=False, auth_data=auth_data.login if valid else None)


class LoopbackController(Controller):
    """aiosmtpd's threaded server on 127.0.0.1, on a port the system picks."""

    def __init__(self, handler: Inbox, **options) -> None:
        super().__init__(
            handler, hostname="127.0.0.1", port=0, server_hostname="mail.test", **options
        )

    def _trigger_server(self) -> None:
        # The base class connects to self.port to check the server answers.
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


@contextmanager
def smtp_server(handler: Inbox, **options) -> Iterator[LoopbackController]:
    """A running SMTP server; options go to aiosmtpd (tls_context, authenticator, …)."""
    controller = LoopbackController(handler, **options)
    controller.start()
    try:
        yield controller
    finally:
        controller.stop()


def smtp_settings(port: int, **settings) -> dict:
    """Settings for the smtp backend talking to 127.0.0.1:port, plain by default."""
    return {
        "MAIL_BACKEND": "smtp",
        "MAIL_FROM": SENDER,
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": port,
        "SMTP_SECURITY": "none",
        "SMTP_TIMEOUT": 1.0,
        **settings,
    }


@dataclass(frozen=True)
class TLSContexts:
    """Both ends of TLS: the server's certificate, and a client trusting only its CA."""

    server: ssl.SSLContext
    client: ssl.SSLContext


@pytest.fixture(scope="module")
def tls(tmp_path_factory: pytest.TempPathFactory) -> TLSContexts:
    """A test CA and a certificate it signed for 127.0.0.1."""
    folder = tmp_path_factory.mktemp("tls")
    now = datetime.now(UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Marquee test CA")])
    ca_certificate = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), False)
        .sign(ca_key, hashes.SHA256())
    )
    server_key = ec.generate_private_key(ec.SECP256R1())
    server_certificate = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
        .issuer_name(ca_name)
        .public_key(server_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False
        )
        .sign(ca_key, hashes.SHA256())
    )
    ca_file, certificate_file, key_file = folder / "ca.pem", folder / "cert.pem", folder / "key.pem"
    ca_file.write_bytes(ca_certificate.public_bytes(serialization.Encoding.PEM))
    certificate_file.write_bytes(server_certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        server_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(certificate_file, key_file)
    return TLSContexts(server=server, client=ssl.create_default_context(cafile=ca_file))


# The message


def test_a_message_becomes_a_plain_text_email():
    built = mail.build_email(MESSAGE, sender=SENDER)

    parsed = parse(built.as_bytes())
    assert parsed["From"] == SENDER
    assert parsed["To"] == "ana@example.com"
    assert parsed["Subject"] == "Confirm your email"
    assert abs(parsed["Date"].datetime - datetime.now(UTC)) < timedelta(minutes=1)
    assert re.fullmatch(r"<[^@<>]+@marquee\.test>", parsed["Message-ID"])
    assert parsed.get_content_type() == "text/plain"
    assert parsed.get_content() == MESSAGE.text


def test_html_is_an_alternative_and_a_long_link_stays_whole():
    link = "https://marquee.test/confirm/" + "t" * 200
    message = mail.Message(
        to="Zoë <zoe@example.com>",
        subject="Confirmez votre adresse",
        text=f"Open this link:\n{link}\n",
        html=f'<p>Cliquez <a href="{link}">ici</a> pour confirmer l’adresse.</p>\n',
    )

    built = mail.build_email(message, sender=SENDER)

    assert link.encode() in built.as_bytes()  # readable in the .eml and on the console
    parsed = parse(built.as_bytes())
    assert parsed.get_content_type() == "multipart/alternative"
    assert parsed["To"].addresses[0].display_name == "Zoë"
    assert parsed.get_body(("plain",)).get_content() == message.text
    assert parsed.get_body(("html",)).get_content() == message.html


def test_a_header_cannot_be_smuggled_in():
    with pytest.raises(ValueError, match="linefeed"):
        mail.build_email(replace(MESSAGE, subject="Hi\nBcc: eve@example.com"), sender=SENDER)


# The file and console backends


def test_the_file_backend_writes_one_private_eml_per_message(use_mail, caplog):
    app = use_mail(MAIL_BACKEND="file")
    caplog.set_level(logging.INFO, logger=app.logger.name)

    with app.app_context():
        mail.send_now(MESSAGE)
        mail.send_now(replace(MESSAGE, subject="Second"))

    written = mail.outbox(app)
    assert subjects(app) == ["Confirm your email", "Second"]
    assert {path.parent for path in written} == {Path(app.instance_path) / "outbox"}
    for path in written:
        assert re.fullmatch(r"\d{8}T\d{6}\.\d{6}Z-[0-9a-f]{8}\.eml", path.name)
        assert files.file_mode(path) == "0600"
    assert parse(written[0].read_bytes()).get_content() == MESSAGE.text
    assert logged(caplog, app) == [f"Mail written to {path}" for path in written]


def test_an_empty_outbox_is_an_empty_list(use_mail):
    assert mail.outbox(use_mail(MAIL_BACKEND="file")) == []


def test_the_console_backend_prints_the_whole_message(use_mail, capsys):
    app = use_mail(MAIL_BACKEND="console", MAIL_FROM=SENDER)

    with app.app_context():
        mail.send_now(MESSAGE)

    printed = capsys.readouterr().err
    for line in (f"From: {SENDER}", "To: ana@example.com", "Subject: Confirm your email"):
        assert line in printed
    assert MESSAGE.text in printed
    assert mail.outbox(app) == []


# Only after the commit


def test_mail_goes_out_once_the_transaction_commits(use_mail, db):
    app = use_mail(MAIL_BACKEND="file")
    make_genre("Noir")
    mail.send_after_commit(MESSAGE)
    db.session.flush()
    assert mail.outbox(app) == []

    db.session.commit()

    mail.drain()  # delivery happens on a mail thread

    assert subjects(app) == ["Confirm your email"]
    db.session.commit()
    mail.drain()  # delivery happens on a mail thread
    assert len(mail.outbox(app)) == 1  # sent once


@pytest.mark.parametrize("ending", ["rollback", "close"])
def test_mail_of_a_transaction_that_does_not_commit_is_dropped(use_mail, db, ending):
    app = use_mail(MAIL_BACKEND="file")
    make_genre("Noir")
    mail.send_after_commit(MESSAGE)

    getattr(db.session, ending)()
    db.session.commit()
    mail.drain()  # delivery happens on a mail thread

    assert mail.outbox(app) == []
    assert db.session.scalar(select(Genre).where(Genre.name == "Noir")) is None


def test_a_rolled_back_savepoint_drops_only_the_mail_queued_inside_it(use_mail, db):
    app = use_mail(MAIL_BACKEND="file")
    mail.send_after_commit(replace(MESSAGE, subject="Kept"))
    savepoint = db.session.begin_nested()
    mail.send_after_commit(replace(MESSAGE, subject="Dropped"))
    savepoint.rollback()
    with db.session.begin_nested():
        mail.send_after_commit(replace(MESSAGE, subject="Released"))
    assert mail.outbox(app) == []  # releasing a savepoint is not the commit

    db.session.commit()

    mail.drain()  # delivery happens on a mail thread

    assert subjects(app) == ["Kept", "Released"]


def app_with_routes(instance: Path, database_url: str, **settings) -> Flask:
    """An app as create_app builds it, with a page that queues a mail and one that then fails."""
    app = create_app(make_config(instance, database_url, PROPAGATE_EXCEPTIONS=False, **settings))

    @app.get("/save")
    def save():
        database.session.execute(text("SELECT 1"))
        mail.send_after_commit(MESSAGE)
        database.session.commit()
        mail.drain()  # delivery happens on a mail thread
        return "saved"

    @app.get("/fail")
    def fail():
        mail.send_after_commit(MESSAGE)
        raise RuntimeError("the request fails after queueing a mail")

    return app


@pytest.fixture
def routes_app(tmp_path: Path, database_url: str) -> Iterator[Callable[..., Flask]]:
    """Builds apps with app_with_routes, and closes their database connections after."""
    built: list[Flask] = []

    def build(**settings) -> Flask:
        built.append(app_with_routes(tmp_path / f"instance-{len(built)}", database_url, **settings))
        return built[-1]

    yield build
    for app in built:
        with app.app_context():
            database.engine.dispose()


def test_a_request_sends_its_mail_after_the_commit_and_a_failed_one_sends_nothing(routes_app):
    app = routes_app(MAIL_BACKEND="file")
    client = app.test_client()

    assert client.get("/save").status_code == 200
    assert client.get("/fail").status_code == 500

    assert subjects(app) == ["Confirm your email"]


def test_a_mail_server_that_is_down_does_not_fail_the_committed_request(routes_app, caplog):
    port = free_port()
    app = routes_app(**smtp_settings(port))

    response = app.test_client().get("/save")

    assert response.status_code == 200
    assert logged(caplog, app, logging.ERROR) == [
        f"Mail to ana@example.com not sent: cannot connect to 127.0.0.1:{port} (Connection refused)"
    ]


# The smtp backend, against a real server


def test_smtp_delivers_a_message(use_mail, caplog):
    inbox = Inbox()
    with smtp_server(inbox) as server:
        app = use_mail(**smtp_settings(server.port))
        caplog.set_level(logging.INFO, logger=app.logger.name)
        with app.app_context():
            mail.send_now(MESSAGE)

    [delivery] = inbox.deliveries
    assert delivery.sender == "noreply@marquee.test"
    assert delivery.recipients == ["ana@example.com"]
    assert delivery.message["Subject"] == "Confirm your email"
    assert delivery.message.get_content() == MESSAGE.text
    assert not delivery.over_tls
    [line] = logged(caplog, app)
    assert line == f"Mail {delivery.message['Message-ID']} sent through 127.0.0.1:{server.port}"


def test_smtp_logs_in_on_a_plain_connection(use_mail):
    inbox = Inbox()
    options = {"authenticator": accept_marquee, "auth_require_tls": False}
    with smtp_server(inbox, **options) as server:
        settings = smtp_settings(server.port, SMTP_USERNAME=SMTP_LOGIN, SMTP_PASSWORD=SMTP_PASSWORD)
        app = use_mail(**settings)
        with app.app_context():
            mail.send_now(MESSAGE)

    [delivery] = inbox.deliveries
    assert delivery.login == SMTP_LOGIN.encode()


def test_starttls_encrypts_before_logging_in(use_mail, tls):
    inbox = Inbox()
    options = {"tls_context": tls.server, "require_starttls": True, "authenticator": accept_marquee}
    with smtp_server(inbox, **options) as server:
        settings = smtp_settings(
            server.port,
            SMTP_SECURITY="starttls",
            SMTP_USERNAME=SMTP_LOGIN,
            SMTP_PASSWORD=SMTP_PASSWORD,
        )
        app = use_mail(ssl_context=tls.client, **settings)
        with app.app_context():
            mail.send_now(MESSAGE)

    [delivery] = inbox.deliveries
    assert delivery.over_tls
    assert delivery.login == SMTP_LOGIN.encode()


def test_ssl_connects_over_tls_from_the_start(use_mail, tls):
    inbox = Inbox()
    with smtp_server(inbox, ssl_context=tls.server) as server:
        app = use_mail(ssl_context=tls.client, **smtp_settings(server.port, SMTP_SECURITY="ssl"))
        with app.app_context():
            mail.send_now(MESSAGE)

    [delivery] = inbox.deliveries
    assert delivery.message["Subject"] == "Confirm your email"


def test_a_certificate_the_system_does_not_trust_is_refused(use_mail, tls):
    inbox = Inbox()
    with smtp_server(inbox, tls_context=tls.server) as server:
        app = use_mail(**smtp_settings(server.port, SMTP_SECURITY="starttls"))
        with app.app_context(), pytest.raises(mail.MailError) as raised:
            mail.send_now(MESSAGE)

    assert str(raised.value).startswith(
        f"Mail to ana@example.com not sent: TLS with 127.0.0.1:{server.port} failed ("
    )
    assert inbox.deliveries == []


def test_starttls_never_falls_back_to_plain_text(use_mail):
    inbox = Inbox()
    with smtp_server(inbox) as server:
        app = use_mail(**smtp_settings(server.port, SMTP_SECURITY="starttls"))
        with app.app_context(), pytest.raises(mail.MailError, match="STARTTLS"):
            mail.send_now(MESSAGE)

    assert inbox.deliveries == []


def test_a_refused_login_is_logged_without_the_password(use_mail, db, caplog):
    inbox = Inbox()
    options = {"authenticator": accept_marquee, "auth_require_tls": False}
    with smtp_server(inbox, **options) as server:
        settings = smtp_settings(
            server.port, SMTP_USERNAME=SMTP_LOGIN, SMTP_PASSWORD=WRONG_PASSWORD
        )
        app = use_mail(**settings)
        caplog.set_level(logging.DEBUG, logger=app.logger.name)
        mail.send_after_commit(MESSAGE)
        db.session.commit()
        mail.drain()  # delivery happens on a mail thread

    [line] = logged(caplog, app, logging.ERROR)
    assert line.startswith(
        f"Mail to ana@example.com not sent: 127.0.0.1:{server.port} refused the login of marquee"
    )
    assert not any(WRONG_PASSWORD in line for line in logged(caplog, app))
    assert inbox.deliveries == []


def test_a_slow_server_times_out_after_the_commit_and_is_logged(use_mail, db, caplog):
    inbox = Inbox(delay=2.0)
    with smtp_server(inbox) as server:
        app = use_mail(**smtp_settings(server.port, SMTP_TIMEOUT=0.2))
        make_genre("Noir")
        mail.send_after_commit(MESSAGE)
        db.session.commit()
        mail.drain()  # delivery happens on a mail thread

    assert db.session.scalar(select(Genre).where(Genre.name == "Noir")) is not None
    assert logged(caplog, app, logging.ERROR) == [
        f"Mail to ana@example.com not sent: no answer from 127.0.0.1:{server.port} within 0.2 s"
    ]


# Settings


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"MAIL_BACKEND": "pigeon"}, "MAIL_BACKEND is 'pigeon'; it must be one of file, smtp, "),
        ({"SMTP_SECURITY": "tls"}, "SMTP_SECURITY is 'tls'; it must be one of starttls, ssl, "),
        ({"MAIL_FROM": "noreply"}, "MAIL_FROM is 'noreply'; it must be one address"),
        (
            {"MAIL_BACKEND": "smtp", "SMTP_USERNAME": "marquee", "SMTP_PASSWORD": None},
            "SMTP_USERNAME is set but SMTP_PASSWORD is not",
        ),
        ({"MAIL_BACKEND": "smtp", "SMTP_PORT": None}, "SMTP_PORT is None; it must be a port"),
        ({"MAIL_BACKEND": "smtp", "SMTP_TIMEOUT": 0.0}, "SMTP_TIMEOUT is 0.0; it must be more"),
    ],
)
def test_unusable_mail_settings_stop_the_start(use_mail, settings, message):
    with pytest.raises(ConfigError, match=re.escape(message)):
        use_mail(**settings)


def test_backend_names_are_read_in_any_case(use_mail):
    app = use_mail(MAIL_BACKEND="SMTP", SMTP_SECURITY=" SSL ")

    assert app.extensions[mail.EXTENSION].backend == "smtp"
    assert app.extensions[mail.EXTENSION].smtp.security == "ssl"


def test_a_password_sent_unencrypted_over_the_network_is_warned_about(use_mail, caplog):
    app = use_mail(
        **smtp_settings(
            587,
            SMTP_HOST="mail.example.com",
            SMTP_USERNAME=SMTP_LOGIN,
            SMTP_PASSWORD=SMTP_PASSWORD,
        )
    )

    assert logged(caplog, app, logging.WARNING) == [
        "SMTP_SECURITY is none: the SMTP password crosses the network to mail.example.com "
        "unencrypted."
    ]


def test_committed_mail_is_delivered_on_a_mail_thread_not_the_request(routes_app, caplog):
    port = free_port()
    app = routes_app(**smtp_settings(port))

    assert app.test_client().get("/save").status_code == 200

    mail.drain()
    (record,) = [r for r in caplog.records if r.name == app.logger.name and r.levelno >= 40]
    assert record.threadName.startswith("mail")
