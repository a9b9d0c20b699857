"""Links that keep the reader's query and filters: ``url_with(page=2)``, ``search_url(kind='book')``."""
from __future__ import annotations

import re
from urllib.parse import unquote, urlencode

from flask import Flask, current_app, request, url_for
from werkzeug.routing import BuildError


def url_with(**changes) -> str:
    """The current page's address with some parameters changed; None removes one."""
    args = {k: v for k, v in request.args.items(multi=False)}
    for key, value in changes.items():
        if value is None or value == "":
            args.pop(key, None)
        else:
            args[key] = value
    args.pop("lang", None)
    return _here(args)


def language_url(code: str) -> str:
    args = {k: v for k, v in request.args.items(multi=False)}
    args["lang"] = code
    if request.endpoint is None:            # an unknown address: switch on the home page
        return url_for("reading.home", lang=code)
    return _here(args)


def _here(args: dict) -> str:
    """This page's address with ``args``; an argument that does not fit the address (``?page=x``
    where a page number goes, on the page that says it is wrong) is left out, never an error."""
    view_args = request.view_args or {}
    try:
        return url_for(request.endpoint, **{**args, **view_args})
    except (ValueError, BuildError):
        kept = {k: v for k, v in args.items() if k not in _rule_arguments()}
        return url_for(request.endpoint, **{**kept, **view_args})


def _rule_arguments() -> set[str]:
    return {argument for rule in current_app.url_map.iter_rules(request.endpoint) for argument in rule.arguments}


def search_url(**filters) -> str:
    return url_for("reading.search", **{k: v for k, v in filters.items() if v not in (None, "")})


def request_copy_url(document_id: int, pages: str | int | None = None, external: bool = False) -> str:
    """The delivery request form, prefilled (the form itself is served by the delivery module)."""
    query = urlencode({"document": document_id, **({"pages": pages} if pages else {})})
    base = (request.host_url.rstrip("/") if external else "") + request.script_root
    return f"{base}{current_app.config['OLKE_REQUEST_PATH']}?{query}"


_NON_ASCII = re.compile(r"(?:%[89A-Fa-f][0-9A-Fa-f])+")


def readable(url: str) -> str:
    """An address to show and copy, with its letters as letters (…?q=дала, not …?q=%D0%B4…): only bytes
    of non-ASCII characters are decoded, which mean nothing to a URL's syntax; the rest stays encoded."""
    def decode(found):
        try:
            return unquote(found.group(0), errors="strict")
        except UnicodeDecodeError:
            return found.group(0)
    return _NON_ASCII.sub(decode, url)


def init_app(app: Flask) -> None:
    app.add_template_filter(readable, "readable")
    app.jinja_env.globals.update(url_with=url_with, language_url=language_url, search_url=search_url,
                                 request_copy_url=request_copy_url)
