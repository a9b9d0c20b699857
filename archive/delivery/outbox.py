"""Letters waiting to go: written in the same transaction as what they announce, sent after it,
one by one through the SMTP server named in the settings (plain, STARTTLS or SSL; optional login).

A letter the mail server does not take stays here with its error, and `olke requests send-mail`
(or the next action that sends mail) tries it again; nothing a requester should hear of is lost.
"""
from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Iterable

from archive.catalog import now
from archive import libraries
from archive.db import Connection
from archive.delivery import letters
from archive.errors import MailFailed
from archive.delivery.model import DeliveryRequest
from archive.delivery.settings import DeliverySettings, MailSettings

MAX_ATTEMPTS = 10


def queue(conn: Connection, request: DeliveryRequest, letter: str, settings: DeliverySettings,
          **values) -> int | None:
    """Write a letter to the requester (inside the caller's transaction); None if there is no address."""
    if not request.email:
        return None
    subject, body = letters.compose(letter, request.language, _signed_by(conn, request, settings), code=request.code,
                                    name=request.name or "", title=request.title,
                                    status_url=letters.status_url(settings.public_url, request.code), **values)
    return conn.execute("INSERT INTO delivery_mail (request_id, letter, recipient, subject, body, created_at)"
                        " VALUES (:request_id, :letter, :recipient, :subject, :body, :created_at) RETURNING id",
                        {"request_id": request.id, "letter": letter, "recipient": request.email, "subject": subject,
                         "body": body, "created_at": now()}).scalar()


def _signed_by(conn: Connection, request: DeliveryRequest, settings: DeliverySettings) -> str:
    """Who signs the letter: the library handling the request when the system has several (and it has a
    name), else the library the settings name."""
    if libraries.count(conn) > 1:
        handling = libraries.get(conn, request.library)
        if handling.name(request.language) != handling.code:
            return handling.name(request.language)
    return settings.library


def claim(conn: Connection, ids: Iterable[int] | None = None) -> list[dict]:
    """Take the unsent letters (only ``ids`` if given) for sending; another sender will not take them too."""
    sql = "SELECT * FROM delivery_mail WHERE sent_at IS NULL AND recipient IS NOT NULL AND attempts < :most"
    args: dict = {"most": MAX_ATTEMPTS}
    if ids is not None:
        wanted = [i for i in ids if i is not None]
        if not wanted:
            return []
        sql += " AND id IN :ids"
        args["ids"] = wanted
    claimed = []
    for row in conn.execute(sql + " ORDER BY id", args).fetchall():
        taken = conn.execute("UPDATE delivery_mail SET attempts = attempts + 1, error = 'sending'"
                             " WHERE id = :id AND attempts = :attempts AND sent_at IS NULL",
                             {"id": row["id"], "attempts": row["attempts"]})
        if taken.rowcount:
            claimed.append(dict(row))
    return claimed


def send_claimed(settings: DeliverySettings, claimed: list[dict]) -> list[tuple[int, str | None]]:
    """Send the letters (no catalog needed, so callers need not hold it); (id, error or None) each."""
    results = []
    for row in claimed:
        try:
            send(settings.mail, row["recipient"], row["subject"], row["body"])
        except MailFailed as error:
            results.append((row["id"], error.message))
        else:
            results.append((row["id"], None))
    return results


def record(conn: Connection, results: list[tuple[int, str | None]]) -> list[str]:
    """Note what was sent; returns the errors."""
    for letter_id, error in results:
        if error:
            conn.execute("UPDATE delivery_mail SET error = :error WHERE id = :id", {"error": error, "id": letter_id})
        else:
            conn.execute("UPDATE delivery_mail SET sent_at = :now, error = NULL WHERE id = :id",
                         {"now": now(), "id": letter_id})
    return [error for _, error in results if error]


def send_pending(conn: Connection, settings: DeliverySettings, ids: Iterable[int] | None = None
                 ) -> tuple[int, list[str]]:
    """Send the unsent letters (only ``ids`` if given); returns (sent, errors)."""
    results = send_claimed(settings, claim(conn, ids))
    errors = record(conn, results)
    return len(results) - len(errors), errors


def letters_for(conn: Connection, request_id: int) -> list[dict]:
    rows = conn.execute("SELECT id, letter, created_at, sent_at, attempts, error FROM delivery_mail"
                        " WHERE request_id = :id ORDER BY id", {"id": request_id})
    return [dict(row) for row in rows]


def message(mail: MailSettings, recipient: str, subject: str, body: str) -> EmailMessage:
    letter = EmailMessage()
    letter["From"] = mail.sender
    letter["To"] = recipient
    letter["Subject"] = subject
    letter["Date"] = formatdate(localtime=True)
    letter["Message-ID"] = make_msgid(domain=mail.sender.rpartition("@")[2].strip("> ") or "localhost")
    letter.set_content(body, charset="utf-8")
    return letter


def test_letter(mail: MailSettings, recipient: str) -> list[str]:
    """Send a test letter step by step; returns what the mail server answered at each step.

    Raises MailFailed with the answers so far and the step that failed, so an operator sees
    whether the address, the encryption, the login or the recipient is wrong.
    """
    if not mail.host:
        raise MailFailed("no mail server is set; set [mail] host in delivery.toml")
    answers: list[str] = []
    step = f"connect to {mail.host}:{mail.port}"

    def said(name: str, reply: tuple) -> None:
        code, text = reply
        answers.append(f"{name}: {code} {text.decode(errors='replace') if isinstance(text, bytes) else text}")

    letter = message(mail, recipient, "Olke: test letter / сынақ хат / тестовое письмо",
                     "This letter tests the mail settings of Olke's electronic document delivery.\n"
                     "Бұл хат Olke электрондық құжат жеткізу қызметінің пошта баптауларын тексереді.\n"
                     "Это письмо проверяет почтовые настройки электронной доставки документов Olke.\n")
    try:
        if mail.tls == "ssl":
            client = smtplib.SMTP_SSL(timeout=mail.timeout, context=ssl.create_default_context())
        else:
            client = smtplib.SMTP(timeout=mail.timeout)
        with client:
            said("connect", client.connect(mail.host, mail.port))
            step = "EHLO"
            said("EHLO", client.ehlo())
            if mail.tls == "starttls":
                step = "STARTTLS"
                said("STARTTLS", client.starttls(context=ssl.create_default_context()))
                client.ehlo()
            if mail.user:
                step = f"login as {mail.user}"
                said("login", client.login(mail.user, mail.password))
            step = f"sender {mail.sender}"
            said("MAIL FROM", _accepted(client.mail(mail.sender)))
            step = f"recipient {recipient}"
            said("RCPT TO", _accepted(client.rcpt(recipient)))
            step = "the letter itself"
            said("DATA", _accepted(client.data(letter.as_bytes())))
    except (OSError, smtplib.SMTPException) as error:
        raise MailFailed("; ".join(answers + [f"{step} failed: {error}"])) from None
    return answers


def _accepted(reply: tuple) -> tuple:
    code, text = reply
    if not 200 <= code < 400:
        raise smtplib.SMTPResponseException(code, text)
    return reply


def send(mail: MailSettings, recipient: str, subject: str, body: str) -> None:
    """Hand the letter to the mail server; raises MailFailed saying what to check."""
    if not mail.host:
        raise MailFailed("no mail server is set; set [mail] host in delivery.toml, then run "
                         "`olke requests send-mail`")
    letter = message(mail, recipient, subject, body)
    try:
        if mail.tls == "ssl":
            client = smtplib.SMTP_SSL(mail.host, mail.port, timeout=mail.timeout,
                                      context=ssl.create_default_context())
        else:
            client = smtplib.SMTP(mail.host, mail.port, timeout=mail.timeout)
        with client:
            if mail.tls == "starttls":
                client.starttls(context=ssl.create_default_context())
            if mail.user:
                client.login(mail.user, mail.password)
            client.send_message(letter)
    except (OSError, smtplib.SMTPException) as error:
        raise MailFailed(f"the mail server {mail.host}:{mail.port} did not take the letter ({error}); "
                         "check [mail] in delivery.toml, then run `olke requests send-mail`") from None
