"""Errors as pages: every OlkeError becomes its HTTP status in one handler, as HTML or JSON for /api.

Errors raised by this app carry messages already in the reader's language; the archive's own
messages (meant for the command line) are shown only in the JSON API.
"""
from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException

from archive.errors import NotFound, OlkeError, UsageError


class BadParameter(UsageError):
    """A query parameter the reading room cannot use (400); the message is translated."""

    translated = True


class PageNotFound(NotFound):
    """A page number outside the document or the results (404); the message is translated."""

    translated = True


class DownloadOnRequest(OlkeError):
    """A copy of an ``on_request`` document is given only through a delivery request (403)."""

    http_status = 403
    translated = True


# What an error of each status means, in the reader's language (the error page's own words), for
# the JSON API's errors that carry no translated message of their own
EXPLAINED = {404: _l("There is no such document or page in the archive. The address may be mistyped, or the "
                     "document may have been removed."),
             400: _l("Something in the address or the search form is not right. Change it and try again."),
             403: _l("Copies of this document are given on request through electronic document delivery."),
             503: _l("Please try again in a few minutes.")}
_OTHERWISE = _l("Please try again later. If it happens again, tell the library.")


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def _respond(status: int, message: str | None, detail: str | None):
    """The error page, or for the API a JSON error whose message is in the reader's language: the
    error's own translated `message`, else what the status means (`detail`, the untranslated words
    of the archive or of the web server, goes with it for programmers)."""
    if _wants_json():
        error = {"status": status, "message": message or str(EXPLAINED.get(status, _OTHERWISE))}
        if detail and not message:
            error["detail"] = detail
        return jsonify({"error": error}), status
    return render_template("error.html", status=status, detail=message), status


def handle_olke_error(error: OlkeError):
    translated = getattr(error, "translated", False)
    return _respond(error.http_status, error.message if translated else None, None if translated else error.message)


def handle_http_error(error: HTTPException):
    response = _respond(error.code or 500, None, error.description or error.name)
    if error.code == 405 and hasattr(error, "valid_methods") and error.valid_methods:
        body, status = response
        return body, status, {"Allow": ", ".join(error.valid_methods)}
    return response


def init_app(app: Flask) -> None:
    app.register_error_handler(OlkeError, handle_olke_error)
    app.register_error_handler(HTTPException, handle_http_error)
