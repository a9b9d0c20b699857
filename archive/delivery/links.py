"""Download links: a signed token naming one stamped copy, good for ``link_days`` and ``link_downloads``.

The token is signed with the data home's secret (itsdangerous) and carries its own time, so an
altered or foreign link is refused before the catalog is asked; the copy's row holds the limits,
and each download is counted in one statement, so concurrent clicks cannot exceed them.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from archive.db import Connection, Row, transaction
from archive.catalog import now
from archive.home import Home
from archive.delivery import model
from archive.errors import LinkExpired, LinkInvalid

SALT = "olke-delivery-link"
EXPIRED_MESSAGE = ("this download link has expired (too old, or used up); ask the library for a new one, "
                   "quoting your request code")


def serializer(secret: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt=SALT)


def make_token(secret: str, copy_id: int) -> str:
    return serializer(secret).dumps({"copy": copy_id})


def download_url(public_url: str, token: str) -> str:
    return f"{public_url.rstrip('/')}/request/download/{token}"


def read_token(secret: str, token: str, max_days: int) -> int:
    try:
        data = serializer(secret).loads(token, max_age=max_days * 86400)
    except SignatureExpired:
        raise LinkExpired(EXPIRED_MESSAGE) from None
    except BadSignature:
        raise LinkInvalid("this download link is not valid; copy the whole link from the letter") from None
    if not isinstance(data, dict) or not isinstance(data.get("copy"), int):
        raise LinkInvalid("this download link is not valid; copy the whole link from the letter")
    return data["copy"]


@dataclass
class Download:
    path: Path
    filename: str
    downloads_left: int


def take_download(conn: Connection, home: Home, secret: str, token: str, max_days: int) -> Download:
    """Count one download of the copy the token names, if its link is still good."""
    copy_id = read_token(secret, token, max_days)
    stamp = now()
    with transaction(conn):
        counted = conn.execute(
            "UPDATE delivery_copies SET downloads = downloads + 1 WHERE id = :id AND downloads < max_downloads"
            " AND revoked = 0 AND path IS NOT NULL AND expires_at > :now", {"id": copy_id, "now": stamp})
        row = conn.execute("SELECT c.*, r.code FROM delivery_copies c JOIN delivery_requests r"
                           " ON r.id = c.request_id WHERE c.id = :id", {"id": copy_id}).fetchone()
        if row is None:
            raise LinkInvalid("this download link is not valid; copy the whole link from the letter")
        if not counted.rowcount:
            raise LinkExpired(EXPIRED_MESSAGE)
        model.log(conn, row["request_id"], model.REQUESTER, "downloaded", details={"copy": copy_id,
                                                                                    "download": row["downloads"]})
    return Download(home.absolute(row["path"]), f"olke-{row['code']}.pdf", row["max_downloads"] - row["downloads"])


def copies(conn: Connection, request_id: int) -> list[dict]:
    """Every copy made for a request, the first first."""
    return [dict(row) for row in conn.execute("SELECT * FROM delivery_copies WHERE request_id = :id ORDER BY id",
                                              {"id": request_id})]


def current_copy(conn: Connection, request_id: int) -> Row | None:
    """The copy whose link the requester has now (its limits and downloads), if any."""
    return conn.execute("SELECT id, path, expires_at, max_downloads, downloads, revoked FROM delivery_copies"
                        " WHERE request_id = :id AND revoked = 0 ORDER BY id DESC LIMIT 1", {"id": request_id}).fetchone()


def usable(copy: Row | None) -> bool:
    """Whether a copy can still be downloaded: its file kept, downloads left, not expired."""
    return copy is not None and bool(copy["path"]) and copy["downloads"] < copy["max_downloads"] \
        and copy["expires_at"] > now()


def remove_used_up(conn: Connection, home: Home) -> int:
    """Delete the files of copies whose links can no longer be used; returns how many."""
    rows = conn.execute("SELECT id, path FROM delivery_copies WHERE path IS NOT NULL AND (revoked = 1"
                        " OR downloads >= max_downloads OR expires_at <= :now)", {"now": now()}).fetchall()
    for row in rows:
        home.absolute(row["path"]).unlink(missing_ok=True)
        conn.execute("UPDATE delivery_copies SET path = NULL WHERE id = :id", {"id": row["id"]})
    return len(rows)
