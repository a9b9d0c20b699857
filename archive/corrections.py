"""Pages that need a look, worst first, and what staff do to them: correct, accept, keep a re-reading.

Each action keeps the page as the machine had it (``page_corrections``: text, words, verdict and
reasons before, who and when) and makes the result the page: ``pages.text`` and ``pages.words``
(so search, snippets, highlights and the viewer use it), the verdict ``ok`` for a corrected or
accepted page, and the archived PDF's invisible text for that page. The PDF is rewritten aside and
moved into place inside the catalog transaction, as a document's folder is at ingest.
"""
from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from archive import lines as page_lines
from archive.catalog import Catalog, current_user, now
from archive.errors import NotFound, UsageError
from archive.language import detect_language
from archive.pages import PageResult
from archive.storage import new_staging_dir, sha256_file
from archive.verdict import FAILED, MIN_TEXT_CHARS, OK, REASON_ORDER, REASONS, judge

ReplaceText = Callable[[Path, int, list[page_lines.Line], Path], None]   # Reader.replace_page_text

ACTIONS = ("corrected", "accepted", "reread")
MAX_TEXT = 200_000     # characters of one page's corrected text


class NothingToCorrect(UsageError):
    """A correction that would change nothing, or leave a page with ink without text."""


def reason_words(reasons: list[str]) -> str:
    """The reasons as people read them: "no text where there is ink, low confidence"."""
    return ", ".join(REASONS.get(r, r) for r in reasons)


@dataclass
class PageToCheck:
    document_id: int
    title: str
    number: int
    verdict: str
    reasons: list[str]
    confidence: float | None
    characters: int

    @property
    def label(self) -> str:
        return f"document {self.document_id} page {self.number}"

    def as_dict(self) -> dict:
        return {"document_id": self.document_id, "title": self.title, "page": self.number,
                "verdict": self.verdict, "reasons": self.reasons, "reason_text": reason_words(self.reasons),
                "confidence": self.confidence, "characters": self.characters}


def severity(verdict: str, reasons: list[str], confidence: float | None) -> tuple:
    """Sort key, worst first: failed before doubtful, then the worst reason, then the lowest confidence."""
    worst = min((REASON_ORDER.index(r) for r in reasons if r in REASON_ORDER), default=len(REASON_ORDER))
    return (0 if verdict == FAILED else 1, worst, -1.0 if confidence is None else confidence)


def queue(catalog: Catalog, limit: int | None = None, document_id: int | None = None,
          library: str | None = None) -> list[PageToCheck]:
    """Pages that need a look (doubtful or failed) of active documents, worst first; of the documents
    ``library`` holds only, when it is given."""
    sql = ("SELECT p.document_id, d.title, p.number, p.verdict, p.verdict_reasons, p.confidence,"
           " length(p.text) AS characters FROM pages p JOIN documents d ON d.id = p.document_id"
           " WHERE d.status = 'active' AND p.verdict IN ('doubtful', 'failed')"
           + (" AND p.document_id = :id" if document_id else "")
           + (" AND d.library = :library" if library is not None else ""))
    rows = catalog.conn.execute(sql, {"id": document_id, "library": library}).fetchall()
    found = [PageToCheck(r["document_id"], r["title"], r["number"], r["verdict"], json.loads(r["verdict_reasons"]),
                         r["confidence"], r["characters"]) for r in rows]
    found.sort(key=lambda p: (*severity(p.verdict, p.reasons, p.confidence), p.document_id, p.number))
    return found[:limit] if limit else found


def page(catalog: Catalog, document_id: int, number: int) -> dict:
    catalog.get(document_id)
    row = catalog.conn.execute("SELECT * FROM pages WHERE document_id = :id AND number = :number",
                               {"id": document_id, "number": number}).fetchone()
    if row is None:
        raise NotFound(f"document {document_id} has no page {number}; see `olke show {document_id}`")
    return dict(row, words=json.loads(row["words"]), verdict_reasons=json.loads(row["verdict_reasons"]))


def last_corrected(catalog: Catalog, document_id: int, number: int) -> str | None:
    """When a person last corrected the page's text (None: never), without reading the history's
    texts and word boxes."""
    row = catalog.conn.execute("SELECT at FROM page_corrections WHERE document_id = :id AND number = :number"
                               " AND action = 'corrected' ORDER BY id DESC LIMIT 1",
                               {"id": document_id, "number": number}).fetchone()
    return row["at"] if row else None


def history(catalog: Catalog, document_id: int, number: int | None = None) -> list[dict]:
    sql = "SELECT * FROM page_corrections WHERE document_id = :id" + (" AND number = :number" if number else "")
    rows = catalog.conn.execute(sql + " ORDER BY id", {"id": document_id, "number": number})
    return [dict(r, machine_words=json.loads(r["machine_words"]), machine_reasons=json.loads(r["machine_reasons"]),
                 words=json.loads(r["words"]), details=json.loads(r["details"])) for r in rows]


@dataclass
class After:
    """The page as an action leaves it; ``placed`` is None when the PDF's text layer stays as it is."""
    text: str
    words: list[list]
    placed: list[page_lines.Line] | None
    verdict: str
    reasons: list[str]
    confidence: float | None
    language: str | None
    steps: str


def correct(catalog: Catalog, replace_text: ReplaceText, document_id: int, number: int, texts: list[str],
            user: str | None = None, extra: list[str] = ()) -> dict:
    """Make ``texts`` (the page's lines, corrected) the page's text; the verdict becomes ok.

    When ``texts`` are as many as the page's lines, each corrects its line; else they are matched
    to the lines by comparing texts. ``extra`` lines (text the reading missed) go below the last.
    """
    texts = [t.replace("\r", "") for t in texts]
    extra = [t.replace("\r", "") for t in extra]
    if sum(len(t) for t in [*texts, *extra]) > MAX_TEXT:
        raise NothingToCorrect(f"the text is longer than {MAX_TEXT} characters; is it the right file?")

    def corrected(before: dict) -> After:
        aspect = before["height_pt"] / before["width_pt"] if before["width_pt"] and before["height_pt"] else 1.414
        placed = page_lines.place(texts, page_lines.group_lines(before["words"]), aspect, extra)
        text = page_lines.text_of(placed)
        if not text.strip():
            raise NothingToCorrect(f"the corrected text of document {document_id} page {number} is empty; give the "
                                   "page's text, or accept the page if it really has none (--accept)")
        if text == before["text"] and before["verdict"] in (None, OK):
            raise NothingToCorrect(f"document {document_id} page {number} already has this text; nothing changed")
        return After(text, page_lines.words_of(placed), placed, OK, [], before["confidence"],
                     detect_language(text) or before["language"], before["ocr_steps"])

    return _apply(catalog, document_id, number, "corrected", corrected, user, {}, replace_text)


def accept(catalog: Catalog, document_id: int, number: int, user: str | None = None) -> dict:
    """A person found the reading good as it is: the verdict becomes ok, the text stays."""
    def accepted(before: dict) -> After:
        if before["verdict"] in (None, OK):
            raise NothingToCorrect(f"document {document_id} page {number} does not need a look (verdict "
                                   f"{before['verdict'] or 'not judged'}); nothing to accept")
        return After(before["text"], before["words"], None, OK, [], before["confidence"], before["language"],
                     before["ocr_steps"])

    return _apply(catalog, document_id, number, "accepted", accepted, user, {})


def keep_reading(catalog: Catalog, replace_text: ReplaceText, document_id: int, number: int, reading: PageResult,
                 user: str | None = None, details: dict | None = None) -> dict:
    """Make a re-reading (other OCR options) the page's text, with the verdict OCR gave it."""
    words = [w.as_row() for w in reading.words]
    verdict, reasons = reading.verdict, list(reading.reasons)
    if verdict is None:
        judged = judge(len(reading.text.strip()), float(MIN_TEXT_CHARS), reading.confidence, language=reading.language,
                       document_language=catalog.get(document_id).language)
        verdict, reasons = judged.verdict, list(judged.reasons)

    def read_again(before: dict) -> After:
        return After(reading.text, words, page_lines.group_lines(words), verdict, reasons, reading.confidence,
                     reading.language or before["language"], json.dumps(reading.steps, ensure_ascii=False))

    return _apply(catalog, document_id, number, "reread", read_again, user, details or {}, replace_text)


def _apply(catalog: Catalog, document_id: int, number: int, action: str, build: Callable[[dict], After],
           user: str | None, details: dict, replace_text: ReplaceText | None = None) -> dict:
    """Record the action and make its result the page, in one write transaction: the page is read,
    and the PDF rewritten, under the catalog's write lock, so two corrections of one document (from
    the staff app and a command at once) never rewrite the PDF from the same old copy. ``replace_text``
    writes the PDF's text layer; an action that places no lines (accept) needs none."""
    page(catalog, document_id, number)               # a missing page is reported before any lock is taken
    staging = new_staging_dir(catalog.home)
    new_pdf = staging / "document.pdf"
    stamp, who = now(), user or current_user()
    try:
        with catalog.transaction() as conn:
            before = page(catalog, document_id, number)
            after = build(before)
            conn.execute(
                "UPDATE pages SET text = :text, words = :words, verdict = :verdict, verdict_reasons = :reasons,"
                " confidence = :confidence, language = :language, ocr_steps = :steps"
                " WHERE document_id = :id AND number = :number",
                {"text": after.text, "words": json.dumps(after.words, ensure_ascii=False), "verdict": after.verdict,
                 "reasons": json.dumps(after.reasons), "confidence": after.confidence, "language": after.language,
                 "steps": after.steps, "id": document_id, "number": number})
            conn.execute(
                "INSERT INTO page_corrections (document_id, number, action, machine_text, machine_words,"
                ' machine_verdict, machine_reasons, text, words, "user", at, details)'
                " VALUES (:id, :number, :action, :machine_text, :machine_words, :machine_verdict, :machine_reasons,"
                " :text, :words, :user, :at, :details)",
                {"id": document_id, "number": number, "action": action, "machine_text": before["text"],
                 "machine_words": json.dumps(before["words"], ensure_ascii=False),
                 "machine_verdict": before["verdict"], "machine_reasons": json.dumps(before["verdict_reasons"]),
                 "text": after.text, "words": json.dumps(after.words, ensure_ascii=False), "user": who,
                 "at": stamp, "details": json.dumps(details, ensure_ascii=False)})
            conn.execute("UPDATE documents SET updated_at = :at WHERE id = :id", {"at": stamp, "id": document_id})
            if after.placed is not None:
                pdf = catalog.file_path(document_id, "pdf")
                replace_text(pdf, number, after.placed, new_pdf)
                conn.execute("UPDATE files SET size_bytes = :size, sha256 = :sha256"
                             " WHERE document_id = :id AND role = 'pdf'",
                             {"size": new_pdf.stat().st_size, "sha256": sha256_file(new_pdf), "id": document_id})
                os.replace(new_pdf, pdf)   # the last step: if it fails, nothing was recorded
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return {"document_id": document_id, "page": number, "action": action, "verdict": after.verdict,
            "reasons": after.reasons, "user": who, "at": stamp, "characters": len(after.text)}


def needs_look_message(pages: list[tuple[int, int, str, list[str]]], named: int = 10) -> str:
    """"3 pages need a look: document 12 page 4 (failed: no text where there is ink), …; see `olke review`"
    for (document, page, verdict, reasons), the worst first; at most ``named`` are named."""
    ordered = sorted(pages, key=lambda p: (*severity(p[2], p[3], None), p[0], p[1]))
    names = [f"document {d} page {n} ({verdict}: {reason_words(reasons) or verdict})"
             for d, n, verdict, reasons in ordered[:named]]
    if len(ordered) > named:
        names.append(f"and {len(ordered) - named} more")
    count = f"{len(pages)} page{'s' if len(pages) != 1 else ''} need{'s' if len(pages) == 1 else ''} a look"
    return f"{count}: {', '.join(names)}; see `olke review`"
