"""Signing in and out of the staff app. Staff users and passwords are managed with `olke staff`."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, Flask, current_app, g, redirect, render_template, request, session, url_for
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

from archive.errors import StaffLoginFailed
from search_app.staff.words import explain
from search_app.store import get_store

auth = Blueprint("auth", __name__)
OPEN_ENDPOINTS = ("auth.login", "static")


def _safe_next(target: str | None) -> str:
    """Only a path on this app, never another site.

    Browsers drop tabs and newlines from an address and read a backslash as a slash, so
    ``/%09/evil.example`` (a tab) would become ``//evil.example``: any whitespace, control character or
    backslash refuses the target, and what is left must parse as a path without scheme or host.
    """
    if (target and len(target) <= 2000 and target.startswith("/") and target.isprintable()
            and not any(c.isspace() or c == "\\" for c in target)):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and parts.path.startswith("/") \
                and not parts.path.startswith("//"):
            return target
    return url_for("desk.queue")


@auth.route("/login", methods=["GET", "POST"])
def login():
    problem = None
    if request.method == "POST":
        name = (request.form.get("name") or "")[:64]
        try:
            with get_store().locked() as archive:
                user = archive.staff.verify(name, (request.form.get("password") or "")[:200])
        except StaffLoginFailed as error:
            problem = explain(error)
        else:
            session.clear()
            session.permanent = True
            session["staff"] = user
            return redirect(_safe_next(request.form.get("next")), 303)
    return render_template("staff/login.html", problem=problem, next=request.values.get("next", "")), \
        401 if problem else 200


@auth.post("/logout")
def logout():
    held = session.get("staff")
    if held:                           # on the server too: a kept copy of the cookie is no key
        with get_store().locked() as archive:
            archive.staff.sign_out(held["name"])
    session.clear()
    return redirect(url_for("auth.login"), 303)


def load_user():
    """Every page but the login needs a signed-in, still active user whose password has not changed since."""
    g.user = None
    held = session.get("staff")
    if held:
        with get_store().locked() as archive:
            if archive.staff.still_valid(held["name"], held["password_set_at"], held.get("signed_in_at")):
                # the library they work at, as it is now (None: the system's administrator, who sees all)
                g.user = held | {"library": archive.staff.library_of(held["name"])}
            else:
                session.clear()
    if g.user is None and request.endpoint not in OPEN_ENDPOINTS:
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    return None


def init_app(app: Flask) -> None:
    app.before_request(load_user)

    @app.context_processor
    def signed_in():
        return {"user": g.get("user")}

    @app.template_filter("person")
    def person(name: str | None) -> str:
        """A staff user's full name (the login where there is none)."""
        return people().get(name, name) if name else "—"


def people() -> dict[str, str]:
    """Staff users' full names by login, read once a request."""
    if "people" not in g:
        with get_store().locked() as archive:
            g.people = {u["name"]: u["full_name"] or u["name"] for u in archive.staff.all()}
    return g.people


def limit_logins(app: Flask) -> None:
    """Sign-in attempts per address (after the blueprint is registered: the limit wraps its view)."""
    limiter = Limiter(get_remote_address, app=app, storage_uri="memory://", default_limits=[],
                      key_prefix="olke-staff")
    rate = limiter.limit(lambda: current_app.config["OLKE_LOGIN_RATE_LIMIT"], methods=["POST"])
    app.view_functions["auth.login"] = rate(app.view_functions["auth.login"])
