"""Errors in the staff app: Olke's own messages (they say what to do), as a page with the status."""
from __future__ import annotations

from flask import Flask, render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from archive.errors import OlkeError


def init_app(app: Flask) -> None:
    @app.errorhandler(OlkeError)
    def olke_error(error: OlkeError):
        return render_template("staff/error.html", status=error.http_status, message=error.message), \
            error.http_status

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        return render_template("staff/error.html", status=400,
                               message="The form expired or did not come from this app; go back, reload and "
                                       "send it again."), 400

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        return render_template("staff/error.html", status=error.code, message=error.description), error.code
