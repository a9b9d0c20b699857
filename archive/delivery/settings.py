"""Delivery settings: read from ``delivery.toml`` in the data home (or ``$OLKE_DELIVERY_SETTINGS``).

Every key has a default, so the file holds only what a library changes. Unknown keys and wrong
types are errors that name the key. The secret that signs download links and forms lives in
``secret.key`` in the data home, made on first use and readable only by its owner.
"""
from __future__ import annotations

import os
import secrets
import threading
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

from archive.errors import UsageError
from archive.home import Home

SETTINGS_FILE = "delivery.toml"
SECRET_FILE = "secret.key"
TLS_MODES = ("none", "starttls", "ssl")


class InvalidSettings(UsageError):
    """delivery.toml cannot be read or holds a wrong value; the message names the key."""


@dataclass(frozen=True)
class MailSettings:
    host: str = ""                      # empty: letters are kept unsent until a host is set
    port: int = 25
    sender: str = "olke@localhost"      # the From address
    tls: str = "none"                   # none | starttls | ssl
    user: str = ""
    password: str = ""
    timeout: int = 20


@dataclass(frozen=True)
class RuleSettings:
    whole_article: bool = True          # a newspaper or journal article may be copied whole
    book_percent: float = 15.0          # at most this share of a book (and of other documents)
    public_domain_before: int = 1900    # works published before this year are copied in full
    public_domain_tag: str = "public-domain"   # ...and works whose notes contain this word


@dataclass(frozen=True)
class DeliverySettings:
    public_url: str = "http://127.0.0.1:8000"   # the reading room's address, for links in letters
    link_days: int = 30                  # a download link works this many days
    link_downloads: int = 5              # and at most this many times
    duplicate_hours: int = 24            # the same request again within this time shows the first one
    expire_days: int = 60                # open requests older than this expire (also: past needed-by)
    keep_days: int = 365                 # personal data of closed requests is blanked after this
    min_fill_seconds: int = 3            # a form sent sooner than this is refused (a robot)
    rate_limit: str = "10 per minute; 60 per day"   # form submissions per address
    library: str = "Olke"                # the library's name in letters and stamps
    mail: MailSettings = field(default_factory=MailSettings)
    rules: RuleSettings = field(default_factory=RuleSettings)
    source: str | None = None            # the file read, if any


SECTIONS = {"mail": MailSettings, "rules": RuleSettings}


def settings_path(home: Home) -> Path:
    chosen = os.environ.get("OLKE_DELIVERY_SETTINGS")
    return Path(chosen).expanduser() if chosen else home.root / SETTINGS_FILE


class LiveSettings:
    """The delivery settings of a running server, read again when the file changes.

    A new mail server, address or copying rule in ``delivery.toml`` takes effect at the next
    request, without a restart (one ``stat`` a request). A changed file that does not read is
    reported through ``warn`` and the settings before it are kept; ``overrides`` (tests, the
    app's config) apply on top of whatever the file says.
    """

    def __init__(self, home: Home, overrides: dict | None = None, warn=None):
        self.home, self.overrides, self.warn = home, dict(overrides or {}), warn
        self._lock = threading.Lock()
        self._stamp: tuple | None = None
        self._settings: DeliverySettings | None = None
        self.get()

    def _file_stamp(self) -> tuple | None:
        try:
            found = settings_path(self.home).stat()
        except FileNotFoundError:
            return None
        return found.st_mtime_ns, found.st_size, found.st_ino

    def get(self) -> DeliverySettings:
        stamp = self._file_stamp()
        if self._settings is not None and stamp == self._stamp:
            return self._settings
        with self._lock:
            if self._settings is None or stamp != self._stamp:
                try:
                    settings = load_settings(self.home)
                except InvalidSettings as error:
                    if self._settings is None:
                        raise
                    if self.warn:
                        self.warn(f"delivery settings not changed: {error}")
                    self._stamp = stamp
                    return self._settings
                self._settings = with_changes(settings, **self.overrides) if self.overrides else settings
                self._stamp = stamp
        return self._settings

    def change(self, **changes) -> None:
        """Override some settings from now on (whatever the file says)."""
        self.overrides.update(changes)
        with self._lock:
            self._settings = with_changes(self._settings, **changes)


def load_settings(home: Home) -> DeliverySettings:
    path = settings_path(home)
    if not path.exists():
        return DeliverySettings()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise InvalidSettings(f"not valid TOML ({error}); fix the file", path) from None
    return parse_settings(data, str(path))


def parse_settings(data: dict, source: str | None = None) -> DeliverySettings:
    values = _checked(DeliverySettings, {k: v for k, v in data.items() if k not in SECTIONS}, "", source)
    for name, cls in SECTIONS.items():
        section = data.get(name, {})
        if not isinstance(section, dict):
            raise InvalidSettings(f"[{name}] must be a table of keys", source)
        values[name] = cls(**_checked(cls, section, f"{name}.", source))
    settings = DeliverySettings(**values, source=source)
    if settings.mail.tls not in TLS_MODES:
        raise InvalidSettings(f"mail.tls '{settings.mail.tls}' is not one of: {', '.join(TLS_MODES)}", source)
    for key in ("link_days", "link_downloads", "expire_days", "keep_days"):
        if getattr(settings, key) < 1:
            raise InvalidSettings(f"{key} must be 1 or more", source)
    if not 0 < settings.rules.book_percent <= 100:
        raise InvalidSettings("rules.book_percent must be more than 0 and at most 100", source)
    return settings


def _checked(cls, values: dict, prefix: str, source: str | None) -> dict:
    known = {f.name: f for f in fields(cls) if f.name not in SECTIONS and f.name != "source"}
    for key, value in values.items():
        if key not in known:
            raise InvalidSettings(f"unknown setting '{prefix}{key}'; known: "
                                  f"{', '.join(prefix + k for k in known)}", source)
        expected = type(known[key].default)
        if expected is float and isinstance(value, int) and not isinstance(value, bool):
            values[key] = float(value)
        elif not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
            raise InvalidSettings(f"setting '{prefix}{key}' must be {expected.__name__}, not {value!r}", source)
    return dict(values)


def with_changes(settings: DeliverySettings, **changes) -> DeliverySettings:
    """A copy with some keys changed; ``mail`` and ``rules`` take dicts of their keys."""
    for name, cls in SECTIONS.items():
        if isinstance(changes.get(name), dict):
            changes[name] = replace(getattr(settings, name), **changes[name])
    return replace(settings, **changes)


def secret_key(home: Home) -> str:
    """The data home's signing secret, made on first use (0600)."""
    path = home.root / SECRET_FILE
    if not path.exists():
        home.root.mkdir(parents=True, exist_ok=True)
        draft = path.with_name(f".{SECRET_FILE}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(48))
        try:
            os.link(draft, path)        # atomic: of two processes, one secret wins
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    text = path.read_text().strip()
    if len(text) < 32:
        raise InvalidSettings("the signing secret is too short; delete it and a new one is made", path)
    return text
