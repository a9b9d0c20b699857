"""The delivery desk: the delivery requests of one catalog, as the reading room's form, the staff desk
and `olke requests` reach them (``Archive.delivery``).

It binds the catalog and hands each call to the module that does the work (``model``, ``workflow``,
``fulfil``, ``links``, ``outbox``, ``privacy``); the SQL stays there.
"""
from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Iterable

from archive.delivery import links, model, outbox, privacy, workflow
from archive.delivery.intake import RequestInput
from archive.delivery.model import DeliveryRequest
from archive.delivery.settings import DeliverySettings
from archive.vocabulary import DELIVERED, OPEN

if TYPE_CHECKING:
    from archive.catalog import Catalog
    from archive.delivery.fulfil import Delivered


class DeliveryDesk:
    def __init__(self, catalog: Catalog):
        self._catalog = catalog

    @property
    def _conn(self):
        return self._catalog.conn

    # --- reading -------------------------------------------------------------------------------

    def get(self, code: str) -> DeliveryRequest:
        return model.get(self._conn, code)

    def get_for_requester(self, code: str, email: str) -> DeliveryRequest:
        """The request, only to whoever gives its code and the e-mail it was made with."""
        return model.get_for_requester(self._conn, code, email)

    def queue(self, statuses: tuple[str, ...] | None = OPEN, overdue: bool = False,
              older_than_days: int | None = None, assigned_to: str | None = None,
              unassigned: bool = False) -> list[DeliveryRequest]:
        """Requests to work on, oldest first."""
        return model.queue(self._conn, statuses, overdue, older_than_days, assigned_to, unassigned)

    def search(self, text: str = "", statuses: tuple[str, ...] = (DELIVERED,)) -> list[DeliveryRequest]:
        """The archive of requests: text in the code, name, e-mail or title."""
        return model.search(self._conn, text, statuses)

    def history(self, request_id: int) -> list[dict]:
        return model.events(self._conn, request_id)

    def notes(self, request_id: int, kinds: tuple[str, ...] | None = None) -> list[dict]:
        return model.notes(self._conn, request_id, kinds)

    def letters(self, request_id: int) -> list[dict]:
        return outbox.letters_for(self._conn, request_id)

    def copies(self, request_id: int) -> list[dict]:
        return links.copies(self._conn, request_id)

    def current_copy(self, request_id: int):
        return links.current_copy(self._conn, request_id)

    def earlier_fulfilment(self, document_id: int, pages: str, but: int | None = None) -> str | None:
        """The code of an earlier request that copied these pages of the document, if any."""
        from archive.delivery import fulfil

        return fulfil.earlier_fulfilment(self._conn, document_id, pages, but)

    # --- what requesters do --------------------------------------------------------------------

    def submit(self, wanted: RequestInput, settings: DeliverySettings) -> workflow.Submitted:
        return workflow.submit(self._conn, wanted, settings, self._catalog.get)

    def reply(self, code: str, email: str, text: str) -> DeliveryRequest:
        return workflow.reply(self._conn, code, email, text)

    def take_download(self, secret: str, token: str, max_days: int) -> links.Download:
        return links.take_download(self._conn, self._catalog.home, secret, token, max_days)

    # --- what staff do -------------------------------------------------------------------------

    def claim(self, code: str, user: str) -> DeliveryRequest:
        return workflow.claim(self._conn, code, user)

    def assign(self, code: str, to_user: str, by_user: str) -> DeliveryRequest:
        return workflow.assign(self._conn, code, to_user, by_user)

    def add_note(self, code: str, user: str, text: str) -> None:
        workflow.add_note(self._conn, code, user, text)

    def ask(self, code: str, user: str, question: str, settings: DeliverySettings) -> list[int]:
        return workflow.ask(self._conn, code, user, question, settings)

    def refuse(self, code: str, user: str, reason: str, text: str | None, settings: DeliverySettings) -> list[int]:
        return workflow.refuse(self._conn, code, user, reason, text, settings)

    def cancel(self, code: str, user: str, text: str | None, settings: DeliverySettings,
               email: str | None = None) -> list[int]:
        """Cancel the request: by staff, or by its requester (``user`` REQUESTER, with their ``email``)."""
        return workflow.cancel(self._conn, code, user, text, settings, email=email)

    def fulfil(self, code: str, user: str, settings: DeliverySettings, secret: str, pages: str | None = None,
               document_id: int | None = None) -> Delivered:
        """Copy the pages, stamp them for the requester and write the letter with the link."""
        from archive.delivery import fulfil

        return fulfil.deliver(self._catalog, code, user, settings, secret, pages, document_id)

    def expire(self, settings: DeliverySettings, today: date | None = None,
               dry_run: bool = False) -> tuple[list[DeliveryRequest], list[int]]:
        return workflow.expire(self._conn, settings, today, dry_run)

    def remove_used_up(self) -> int:
        """Delete the files of stamped copies whose links are used up or expired."""
        return links.remove_used_up(self._conn, self._catalog.home)

    # --- letters: claimed and recorded apart, so the catalog is not held while mail is sent ---------

    def claim_letters(self, ids: Iterable[int] | None = None) -> list[dict]:
        return outbox.claim(self._conn, ids)

    def record_sent(self, results: list[tuple[int, str | None]]) -> list[str]:
        return outbox.record(self._conn, results)

    def send_pending(self, settings: DeliverySettings, ids: Iterable[int] | None = None) -> tuple[int, list[str]]:
        return outbox.send_pending(self._conn, settings, ids)

    # --- privacy -------------------------------------------------------------------------------

    def purge(self, keep_days: int, user: str, dry_run: bool = False) -> list[DeliveryRequest]:
        return privacy.purge(self._conn, self._catalog.home, keep_days, user, dry_run=dry_run)

    def erase_person(self, email: str, user: str, dry_run: bool = False) -> list[DeliveryRequest]:
        return privacy.erase_person(self._conn, self._catalog.home, email, user, dry_run)

    def export_person(self, email: str) -> dict:
        return privacy.export_person(self._conn, email)
