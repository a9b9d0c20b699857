"""Sending one letter through the SMTP server named in the settings (plain, STARTTLS or SSL; optional login)."""
from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from archive.requests.errors import MailFailed
from archive.requests.settings import MailSettings


def message(mail: MailSettings, recipient: str, subject: str, body: str) -> EmailMessage:
    letter = EmailMessage()
    letter["From"] = mail.sender
    letter["To"] = recipient
    letter["Subject"] = subject
    letter["Date"] = formatdate(localtime=True)
    letter["Message-ID"] = make_msgid(domain=mail.sender.rpartition("@")[2].strip("> ") or "localhost")
    letter.set_content(body, charset="utf-8")
    return letter


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
