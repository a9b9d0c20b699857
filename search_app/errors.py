"""Errors as pages: every OlkeError becomes its HTTP status in one handler, as HTML or JSON for /api.

Errors raised by this app carry messages already in the reader's language; the archive's own
messages (meant for the command line) are shown only in the JSON API.
"""
from __future__ import annotations

from flask import Flask, jsonify, render_template, request
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


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def _respond(status: int, message: str, detail: str | None):
    if _wants_json():
        return jsonify({"error": {"status": status, "message": message}}), status
    return render_template("error.html", status=status, detail=detail), status


def handle_olke_error(error: OlkeError):
    detail = error.message if getattr(error, "translated", False) else None
    return _respond(error.http_status, error.message, detail)


def handle_http_error(error: HTTPException):
    response = _respond(error.code or 500, error.description or error.name, None)
    if error.code == 405 and hasattr(error, "valid_methods") and error.valid_methods:
        body, status = response
        return body, status, {"Allow": ", ".join(error.valid_methods)}
    return response


def init_app(app: Flask) -> None:
    app.register_error_handler(OlkeError, handle_olke_error)
    app.register_error_handler(HTTPException, handle_http_error)
