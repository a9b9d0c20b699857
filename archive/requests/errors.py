"""Delivery's conditions in Olke's one error hierarchy (archive.errors)."""
from __future__ import annotations

from archive.errors import NotFound, OlkeError, UsageError


class RequestNotFound(NotFound):
    """No request with this code (or not with this e-mail)."""


class InvalidRequest(UsageError):
    """A request's fields do not pass; ``problems`` maps each field to a problem code and its values."""

    http_status = 422

    def __init__(self, problems: dict[str, tuple[str, dict]]):
        self.problems = problems
        listed = "; ".join(f"{name}: {code.replace('_', ' ')}" for name, (code, _) in problems.items())
        super().__init__(f"the request is not complete: {listed}; correct these fields and send it again")


class BadTransition(UsageError):
    """A status change the request's current status does not allow."""

    http_status = 409


class StaffLoginFailed(OlkeError):
    exit_code = 2
    http_status = 401


class LinkInvalid(NotFound):
    """A download link that was never issued here (mistyped or altered)."""


class LinkExpired(OlkeError):
    """A download link past its days or its downloads; the library can send a new one."""

    exit_code = 10
    http_status = 410


class MailFailed(OlkeError):
    """The mail server did not take a letter; it stays queued for `olke requests send-mail`."""

    exit_code = 11
    http_status = 502


class FulfilmentFailed(OlkeError):
    """Pages could not be extracted or stamped."""

    exit_code = 4
    http_status = 422
