"""The staff app: a separate Flask app for librarians who handle delivery requests.

It runs on its own port (``olke serve-staff``, default 127.0.0.1:8001), with its own session
cookie, login and templates, so the public reading room never serves a staff page or a
requester's data. Blueprints: ``auth`` (sign in and out), ``desk`` (the queue and one request's
actions), ``records`` (the archive of fulfilled requests, CSV, quarterly figures), ``plan`` (the
digitisation plan) and ``review`` (pages OCR was unsure of, and correcting their text).
"""
from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from flask import Flask
from flask_wtf.csrf import CSRFProtect

from archive.clock import library_zone, use_library_time
from archive.vocabulary import INTERFACE_LANGUAGES

DEFAULTS = {
    "OLKE_HOME": None,
    "OLKE_LANGUAGES": INTERFACE_LANGUAGES,
    "BABEL_DEFAULT_LOCALE": "kk",
    "BABEL_TRANSLATION_DIRECTORIES": str(Path(__file__).resolve().parent.parent / "translations"),  # the reading room's
    "OLKE_LANG_COOKIE": "olke_staff_lang",
    "OLKE_DELIVERY": None,                 # setting changes over delivery.toml (tests)
    "SESSION_COOKIE_NAME": "olke_staff",
    "SESSION_COOKIE_SAMESITE": "Strict",
    "SESSION_COOKIE_HTTPONLY": True,
    "PERMANENT_SESSION_LIFETIME": timedelta(hours=12),
    "MAX_CONTENT_LENGTH": 300 * 1024 * 1024,   # an uploaded scan
    "WTF_CSRF_TIME_LIMIT": 12 * 3600,
    "OLKE_LOGIN_RATE_LIMIT": "10 per minute; 50 per hour",
    "OLKE_READER": None,                   # reads scans (archive.reader): `olke serve-staff` gives ingest's
}


def create_staff_app(config: dict | None = None) -> Flask:
    app = Flask(__name__)
    app.config.from_mapping(DEFAULTS)
    app.config["BABEL_DEFAULT_TIMEZONE"] = library_zone()     # times are stored in UTC, shown in this
    if config:
        app.config.update(config)
    use_library_time(app.config["BABEL_DEFAULT_TIMEZONE"])   # and the library's day decides dates
    app.jinja_env.trim_blocks = app.jinja_env.lstrip_blocks = True

    from archive.home import Home
    from archive.delivery.settings import LiveSettings, secret_key
    from search_app import i18n, ids, security, store
    from search_app.staff import auth, desk, errors, plan, records, review, words

    home = Home.resolve(app.config["OLKE_HOME"])
    live = LiveSettings(home, app.config.get("OLKE_DELIVERY"), app.logger.warning)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = secret_key(home) + "-staff"
    app.extensions["olke_staff"] = {"settings": live, "secret": secret_key(home)}
    store.init_app(app)
    i18n.init_app(app)
    words.init_app(app)
    security.init_app(app)
    CSRFProtect(app)
    errors.init_app(app)
    auth.init_app(app)
    ids.init_app(app)
    app.register_blueprint(auth.auth)
    app.register_blueprint(desk.desk)
    app.register_blueprint(records.records)
    app.register_blueprint(plan.plan)
    app.register_blueprint(review.review)
    auth.limit_logins(app)
    return app
