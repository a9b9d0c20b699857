"""OAI-PMH at ``/oai`` and the sitemap at ``/sitemap.xml``: thin over archive/oai.py and archive/discovery.py.

Settings: ``OLKE_BASE_URL`` (the public address, when the app sits behind a proxy; default: the
request's own), ``OLKE_OAI_REPOSITORY_NAME``, ``OLKE_OAI_ADMIN_EMAIL``, ``OLKE_OAI_NAMESPACE``.
"""
from __future__ import annotations

import threading

from flask import Blueprint, Flask, Response, current_app, request, url_for

from archive import discovery, oai
from search_app import store

bp = Blueprint("oai", __name__)
XML = "text/xml; charset=utf-8"
_opening = threading.Lock()


def get_store() -> store.Store:
    """The app's Store; an app built without the reading room (only this blueprint) gets one here."""
    app: Flask = current_app._get_current_object()
    if "olke" not in app.extensions:
        with _opening:
            if "olke" not in app.extensions:
                app.config.setdefault("OLKE_HOME", None)
                store.init_app(app)
    return app.extensions["olke"]


def public_base_url() -> str:
    """The reading room's address without a trailing slash, for links that leave the site."""
    return (current_app.config.get("OLKE_BASE_URL") or request.url_root).rstrip("/")


def repository() -> oai.Repository:
    config = current_app.config
    base = config.get("OLKE_BASE_URL")
    return oai.Repository(
        base_url=f"{base.rstrip('/')}/oai" if base else url_for("oai.endpoint", _external=True),
        site_url=public_base_url(),
        name=config.get("OLKE_OAI_REPOSITORY_NAME") or oai.Repository.name,
        admin_email=config.get("OLKE_OAI_ADMIN_EMAIL") or oai.Repository.admin_email,
        namespace=config.get("OLKE_OAI_NAMESPACE") or oai.Repository.namespace,
    )


@bp.route("/oai", methods=["GET", "POST"])
def endpoint():
    args = request.values.to_dict(flat=False)
    with get_store().catalog() as catalog:
        body = oai.respond(catalog, args, repository())
    return Response(body, content_type=XML)


@bp.get("/sitemap.xml")
def sitemap():
    with get_store().catalog() as catalog:
        documents = list(reversed(catalog.documents()))
    return Response(discovery.sitemap(documents, public_base_url()), content_type="application/xml")
