"""The public reading room: search, read and download local-history documents in the browser.

``create_app(config)`` builds the Flask app over one data home (``OLKE_HOME``). Blueprints:
``reading`` (HTML pages), ``api`` (JSON), ``files`` (page images and downloads) and ``delivery``
(requests for copies: the form, the status page, downloads by expiring link). Staff pages are a
separate app (``search_app.staff``), never served here.
"""
from __future__ import annotations

import os

from flask import Flask

from archive.clock import library_zone, use_library_time
from archive.vocabulary import INTERFACE_LANGUAGES

DEFAULTS = {
    "OLKE_HOME": None,              # the data home; None: $OLKE_HOME, else ./var
    "OLKE_PER_PAGE": 10,            # documents per results page
    "OLKE_RECENT": 6,               # recent additions on the home page
    "OLKE_LANGUAGES": INTERFACE_LANGUAGES,
    "BABEL_DEFAULT_LOCALE": "kk",
    "OLKE_LANG_COOKIE": "olke_lang",
    "OLKE_IMAGE_MAX_AGE": 3600,     # seconds browsers may keep page images and thumbnails
    "OLKE_REQUEST_PATH": "/request",  # the delivery request form behind "request a copy"
    "OLKE_ON_REQUEST_THUMBNAILS": False,  # may on_request documents show their pages' thumbnails?
}


# Settings an operator gives in the environment (the README's table); ``config`` overrides them.
ENVIRONMENT = {"OLKE_BASE_URL": str, "OLKE_OAI_REPOSITORY_NAME": str, "OLKE_OAI_ADMIN_EMAIL": str,
               "OLKE_OAI_NAMESPACE": str,
               "OLKE_ON_REQUEST_THUMBNAILS": lambda value: value.strip().lower() in ("1", "true", "yes")}


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__)
    app.config.from_mapping(DEFAULTS)
    app.config["BABEL_DEFAULT_TIMEZONE"] = library_zone()     # times are stored in UTC, shown in this
    app.config.update({key: read(os.environ[key]) for key, read in ENVIRONMENT.items() if os.environ.get(key)})
    if config:
        app.config.update(config)
    use_library_time(app.config["BABEL_DEFAULT_TIMEZONE"])   # and the library's day decides dates
    app.json.ensure_ascii = False
    app.json.sort_keys = False
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.trim_blocks = app.jinja_env.lstrip_blocks = True

    from search_app import delivery, errors, i18n, ids, oai, security, store, urls
    from search_app.api import api
    from search_app.exports import exports
    from search_app.files import files, thumbnail_shown
    from search_app.reading import reading

    store.init_app(app)
    i18n.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    urls.init_app(app)
    ids.init_app(app)
    app.register_blueprint(reading)
    app.register_blueprint(api, url_prefix="/api")
    app.register_blueprint(files, url_prefix="/files")
    app.jinja_env.globals["thumbnail_shown"] = thumbnail_shown
    from search_app.timeline import bars as timeline_bars

    app.jinja_env.globals["timeline_bars"] = timeline_bars
    app.register_blueprint(oai.bp)
    app.register_blueprint(exports)
    from search_app.browsing import browsing

    app.register_blueprint(browsing)
    delivery.init_app(app)
    return app
