"""Errors in the staff app: Olke's own messages (they say what to do), as a page with the status.

The archive's messages are the command line's (English): they are shown in the interface language
where the staff desk knows them (``words.explain``); HTTP errors say what happened in words of their own.
"""
from __future__ import annotations

from flask import Flask, render_template
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from archive.errors import OlkeError
from search_app.staff.words import explain


def http_message(error: HTTPException) -> str:
    """A message of the app's own (already translated), or the status's in the interface language."""
    if error.code != 429 and error.description and error.description != type(error).description:
        return error.description
    return {400: _("The request could not be understood; go back and try again."),
            403: _("This is not allowed."),
            404: _("There is no such page on the staff desk."),
            405: _("This address cannot be used this way; go back and use the page's buttons."),
            413: _("The file is too large."),
            429: _("Too many attempts; wait a minute and try again.")}.get(
        error.code, _("Something went wrong (%(status)s); go back and try again.", status=error.code))


def init_app(app: Flask) -> None:
    @app.errorhandler(OlkeError)
    def olke_error(error: OlkeError):
        return render_template("staff/error.html", status=error.http_status, message=explain(error)), \
            error.http_status

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        return render_template("staff/error.html", status=400,
                               message=_("The form expired or did not come from this app; go back, reload and "
                                         "send it again.")), 400

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        return render_template("staff/error.html", status=error.code, message=http_message(error)), error.code
