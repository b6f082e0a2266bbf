"""Outgoing mail: the message, the file, console and SMTP backends, and sending after commit.

Mail goes out only once the transaction that caused it commits (DESIGN.md):
a signup that rolls back never mails a confirmation link, and a mail server
that is down never turns a change already saved into a 500.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import smtplib
import ssl
import sys
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Any

from flask import Flask, current_app
from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from . import files
from .config import ConfigError
from .db import db

BACKENDS = ("file", "smtp", "console")
SMTP_SECURITIES = ("starttls", "ssl", "none")
EXTENSION = "marquee.mail"
OUTBOX_FOLDER = "outbox"
_QUEUE = "marquee.mail.queue"  # the key in session.info
# RFC 5322's limit; a longer line needs an encoding that wraps it.
_MAX_LINE_LENGTH = 998
_LOOPBACK_HOSTS = {"localhost", "127.0.0.1", "::1"}
_CONSOLE_RULE = "-" * 72


class MailError(Exception):
    """A mail could not be handed over; the text names the recipient and why."""


@dataclass(frozen=True)
class Message:
    """One mail to one person: plain text, with HTML as an alternative."""

    to: str
    subject: str
    text: str
    html: str | None = None


@dataclass(frozen=True)
class SMTPSettings:
    """Where and how the smtp backend connects."""

    host: str
    port: int
    security: str
    timeout: float
    username: str | None = None
    password: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class Mailer:
    """Builds messages and hands them to the configured backend."""

    app: Flask
    backend: str
    sender: str
    smtp: SMTPSettings
    # None: the system's trusted certificates; tests pass one trusting their own.
    ssl_context: ssl.SSLContext | None = field(default=None, repr=False)

    def build(self, message: Message) -> EmailMessage:
        """The MIME message, sent from MAIL_FROM."""
        return build_email(message, sender=self.sender)

    def deliver(self, email: EmailMessage) -> None:
        """Hand a built message to the backend; MailError if it cannot be."""
        try:
            if self.backend == "file":
                self._write_to_outbox(email)
            elif self.backend == "console":
                self._print(email)
            else:
                self._send_by_smtp(email)
        except (smtplib.SMTPException, OSError) as error:
            reason = self._smtp_reason(error) if self.backend == "smtp" else _os_reason(error)
            raise MailError(f"Mail to {email['To']} not sent: {reason}") from error

    def deliver_or_log(self, email: EmailMessage) -> None:
        """Deliver a message whose transaction has committed: a failure is logged, not raised."""
        try:
            self.deliver(email)
        except MailError as error:
            self.app.logger.error("%s", error)
        except Exception:
            # The request's changes are saved: even a bug here must not make it a 500.
            self.app.logger.exception("Mail to %s not sent: unexpected error", email["To"])

    def _write_to_outbox(self, email: EmailMessage) -> None:
        folder = outbox_folder(self.app)
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S.%fZ")
        path = folder / f"{stamp}-{secrets.token_hex(4)}.eml"
        # Private: a mail can hold a password-reset link.
        files.write_private_file(path, email.as_string(), keep_backup=False)
        self.app.logger.info("Mail written to %s", path)

    def _print(self, email: EmailMessage) -> None:
        sys.stderr.write(f"{_CONSOLE_RULE}\n{email.as_string()}{_CONSOLE_RULE}\n")
        sys.stderr.flush()

    def _send_by_smtp(self, email: EmailMessage) -> None:
        smtp = self.smtp
        context = None
        if smtp.security != "none":
            context = self.ssl_context or ssl.create_default_context()
        if smtp.security == "ssl":
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                smtp.host, smtp.port, timeout=smtp.timeout, context=context
            )
        else:
            client = smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout)
        try:
            if smtp.security == "starttls":
                client.starttls(context=context)
            if smtp.username:
                client.login(smtp.username, smtp.password or "")
            client.send_message(email)
            # The server has the message: a failed goodbye changes nothing.
            with contextlib.suppress(smtplib.SMTPException, OSError):
                client.quit()
        finally:
            client.close()
        self.app.logger.info(
            "Mail %s sent through %s:%d", email["Message-ID"], smtp.host, smtp.port
        )

    def _smtp_reason(self, error: Exception) -> str:
        where = f"{self.smtp.host}:{self.smtp.port}"
        # smtplib turns a timed-out read into "Connection unexpectedly closed".
        if isinstance(error, TimeoutError) or isinstance(error.__context__, TimeoutError):
            return f"no answer from {where} within {self.smtp.timeout:g} s"
        if isinstance(error, smtplib.SMTPAuthenticationError):
            return f"{where} refused the login of {self.smtp.username} ({_reply(error)})"
        if isinstance(error, smtplib.SMTPResponseException):
            return f"{where} answered {_reply(error)}"
        if isinstance(error, smtplib.SMTPRecipientsRefused):
            return f"{where} refused the recipient"
        if isinstance(error, smtplib.SMTPException):
            return f"{where}: {error}"
        if isinstance(error, ssl.SSLError):
            detail = getattr(error, "verify_message", None) or error.reason or str(error)
            return f"TLS with {where} failed ({detail})"
        return f"cannot connect to {where} ({error.strerror or error})"


def _reply(error: smtplib.SMTPResponseException) -> str:
    text = error.smtp_error
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return f"{error.smtp_code} {text}"


def _os_reason(error: OSError) -> str:
    where = f" {error.filename}" if error.filename else ""
    return f"cannot write{where} ({error.strerror or error})"


def build_email(message: Message, *, sender: str) -> EmailMessage:
    """The MIME message: headers, text/plain and, with html, a multipart/alternative."""
    email = EmailMessage()
    email["From"] = sender
    email["To"] = message.to
    email["Subject"] = message.subject
    email["Date"] = format_datetime(datetime.now(UTC))
    email["Message-ID"] = make_msgid(domain=sender_domain(sender))
    email.set_content(message.text, cte=_transfer_encoding(message.text))
    if message.html is not None:
        email.add_alternative(message.html, subtype="html", cte=_transfer_encoding(message.html))
    return email


def sender_domain(sender: str) -> str:
    """The domain of a From address ('Marquee <noreply@example.org>' → 'example.org')."""
    headers = EmailMessage()
    headers["From"] = sender
    addresses = headers["From"].addresses
    if len(addresses) != 1 or not addresses[0].username or not addresses[0].domain:
        raise ValueError(f"{sender!r} is not one email address")
    return addresses[0].domain


def _transfer_encoding(text: str) -> str:
    """7bit while it can be, so a link in a .eml or on the console reads whole."""
    if text.isascii() and all(len(line) <= _MAX_LINE_LENGTH for line in text.splitlines()):
        return "7bit"
    # Safe through any SMTP server, which 8bit is not.
    return "quoted-printable"


def outbox_folder(app: Flask) -> Path:
    """Where the file backend writes: instance/outbox/."""
    return Path(app.instance_path) / OUTBOX_FOLDER


def outbox(app: Flask) -> list[Path]:
    """The .eml files the file backend wrote, oldest first."""
    folder = outbox_folder(app)
    return sorted(folder.glob("*.eml")) if folder.is_dir() else []


def init_app(app: Flask, *, ssl_context: ssl.SSLContext | None = None) -> None:
    """Check the mail settings and attach the mailer; ssl_context replaces the system CAs."""
    app.extensions[EXTENSION] = _mailer_from_config(app, ssl_context)
    for name, listener in _SESSION_LISTENERS:
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)


def send_now(message: Message) -> None:
    """Send a message at once through the current app's backend; MailError if it fails."""
    mailer = _mailer(current_app)
    mailer.deliver(mailer.build(message))


def send_after_commit(message: Message) -> None:
    """Queue a message on db.session: sent once its transaction commits, dropped on rollback."""
    mailer = _mailer(current_app)
    email = mailer.build(message)  # a header with a line break fails here, before the commit
    session = db.session()
    owner = session.get_nested_transaction() or session.get_transaction()
    session.info.setdefault(_QUEUE, []).append(_Queued(mailer, email, owner))


@dataclass(frozen=True)
class _Queued:
    mailer: Mailer
    email: EmailMessage
    # The innermost transaction when queued; None if none had begun yet.
    owner: SessionTransaction | None


def _send_queued(session: Session) -> None:
    # Releasing a savepoint fires after_commit too; only the outermost commit is final.
    if session.in_nested_transaction():
        return
    for queued in session.info.pop(_QUEUE, []):
        _sender.submit(queued.mailer.deliver_or_log, queued.email)


class _BackgroundSender:
    """Delivers committed mail on worker threads, so a request never waits for it.

    Besides sparing users a slow SMTP server, this keeps answers that send
    mail (a password reset for an existing account) as fast as those that do
    not, so timing does not tell which addresses have accounts. Threads are
    made in the process that sends (after a server forks its workers), and
    the interpreter waits for them at exit, so queued mail is not lost.
    """

    def __init__(self, workers: int = 1) -> None:  # one: mails go out in the order sent
        self._workers = workers
        self._executor: ThreadPoolExecutor | None = None
        self._pid: int | None = None
        self._pending: set[Future[None]] = set()
        self._lock = threading.Lock()

    def submit(self, deliver: Callable[[EmailMessage], None], email: EmailMessage) -> None:
        """Deliver `email` soon, on a mail thread."""
        with self._lock:
            if self._executor is None or self._pid != os.getpid():
                self._executor = ThreadPoolExecutor(self._workers, thread_name_prefix="mail")
                self._pid = os.getpid()
                self._pending = set()
            future = self._executor.submit(deliver, email)
            self._pending.add(future)
        future.add_done_callback(self._forget)

    def drain(self, timeout: float = 30.0) -> None:
        """Wait until every mail handed over so far has been delivered (or failed)."""
        with self._lock:
            pending = list(self._pending)
        wait(pending, timeout=timeout)

    def _forget(self, future: Future[None]) -> None:
        with self._lock:
            self._pending.discard(future)


_sender = _BackgroundSender()


def drain(timeout: float = 30.0) -> None:
    """Wait for mail already committed to be delivered (tests, and commands before exiting)."""
    _sender.drain(timeout)


def _drop_rolled_back(session: Session, previous_transaction: SessionTransaction) -> None:
    queue = session.info.get(_QUEUE)
    if queue:
        queue[:] = [queued for queued in queue if not _within(queued, previous_transaction)]


def _drop_unsent(session: Session, transaction: SessionTransaction) -> None:
    # The outermost transaction ended without a commit (rollback, close): nothing to send.
    if transaction.parent is None:
        session.info.pop(_QUEUE, None)


def _within(queued: _Queued, transaction: SessionTransaction) -> bool:
    """Whether a message was queued in this transaction or a savepoint inside it."""
    owner = queued.owner
    if owner is None:
        return transaction.parent is None
    while owner is not None:
        if owner is transaction:
            return True
        owner = owner.parent
    return False


_SESSION_LISTENERS = (
    ("after_commit", _send_queued),
    ("after_soft_rollback", _drop_rolled_back),
    ("after_transaction_end", _drop_unsent),
)


def _mailer(app: Flask) -> Mailer:
    mailer = app.extensions.get(EXTENSION)
    if mailer is None:
        raise RuntimeError("Mail is not set up: call app.infra.mail.init_app(app) in create_app.")
    return mailer


def _mailer_from_config(app: Flask, ssl_context: ssl.SSLContext | None) -> Mailer:
    config = app.config
    backend = _choice(config, "MAIL_BACKEND", BACKENDS)
    security = _choice(config, "SMTP_SECURITY", SMTP_SECURITIES)
    sender = str(config["MAIL_FROM"])
    try:
        sender_domain(sender)
    except ValueError:
        raise ConfigError(
            f"MAIL_FROM is {sender!r}; it must be one address, like "
            "'Marquee <noreply@example.org>'."
        ) from None
    if backend == "smtp":
        _check_smtp(config)
    smtp = SMTPSettings(
        host=str(config["SMTP_HOST"] or ""),
        port=config["SMTP_PORT"] or 0,
        security=security,
        timeout=config["SMTP_TIMEOUT"] or 0.0,
        username=config["SMTP_USERNAME"] or None,
        password=config["SMTP_PASSWORD"] or None,
    )
    login_in_clear = backend == "smtp" and smtp.username and security == "none"
    if login_in_clear and smtp.host not in _LOOPBACK_HOSTS:
        app.logger.warning(
            "SMTP_SECURITY is none: the SMTP password crosses the network to %s unencrypted.",
            smtp.host,
        )
    return Mailer(app=app, backend=backend, sender=sender, smtp=smtp, ssl_context=ssl_context)


def _choice(config: Mapping[str, Any], key: str, choices: tuple[str, ...]) -> str:
    value = str(config.get(key) or "").strip().lower()
    if value not in choices:
        raise ConfigError(f"{key} is {config.get(key)!r}; it must be one of {', '.join(choices)}.")
    return value


def _check_smtp(config: Mapping[str, Any]) -> None:
    if not config["SMTP_HOST"]:
        raise ConfigError("MAIL_BACKEND is smtp but SMTP_HOST is empty; set the mail server.")
    port, timeout = config["SMTP_PORT"], config["SMTP_TIMEOUT"]
    if not isinstance(port, int) or not 0 < port < 65536:
        raise ConfigError(f"SMTP_PORT is {port!r}; it must be a port number (1–65535).")
    if not isinstance(timeout, int | float) or timeout <= 0:
        raise ConfigError(f"SMTP_TIMEOUT is {timeout!r}; it must be more than 0 seconds.")
    if config["SMTP_USERNAME"] and not config["SMTP_PASSWORD"]:
        raise ConfigError(
            "SMTP_USERNAME is set but SMTP_PASSWORD is not; set it "
            "(`flask crypto set SMTP_PASSWORD`) or unset SMTP_USERNAME."
        )
