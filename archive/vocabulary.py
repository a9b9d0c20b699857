"""Olke's words for what a library deals in (the design's vocabulary), each list written once.

Documents: their kinds, languages and access; pages: their verdicts; delivery requests: their
statuses, the readers' categories and the reasons for a refusal. The code uses these names; the
interfaces say them in words of their own (the CLI's English labels are here, the web apps
translate).
"""
from __future__ import annotations

# --- documents ---------------------------------------------------------------------------------

KINDS = ("newspaper_article", "journal_article", "book", "other")
ARTICLE_KINDS = ("newspaper_article", "journal_article")   # pieces of a source (a newspaper's or journal's issue)
LANGUAGES = ("kaz", "rus")                 # a document's language, ISO 639-3
DESCRIBED_LANGUAGES = (*LANGUAGES, "auto")  # what a description may say: "auto" is detected from the text
ACCESS = ("open", "on_request")
INTERFACE_LANGUAGES = ("kk", "ru", "en")   # what Olke speaks to people: pages, letters, reports (ISO 639-1)

# --- pages -------------------------------------------------------------------------------------

OK, DOUBTFUL, FAILED = "ok", "doubtful", "failed"
VERDICTS = (OK, DOUBTFUL, FAILED)

# --- delivery requests: new → in_progress → (waiting) → delivered | refused | cancelled; any open
# request may expire (the moves: archive.delivery.workflow) ------------------------------------

NEW, IN_PROGRESS, WAITING = "new", "in_progress", "waiting"
DELIVERED, REFUSED, CANCELLED, EXPIRED = "delivered", "refused", "cancelled", "expired"
STATUSES = (NEW, IN_PROGRESS, WAITING, DELIVERED, REFUSED, CANCELLED, EXPIRED)
OPEN = (NEW, IN_PROGRESS, WAITING)
CLOSED = (DELIVERED, REFUSED, CANCELLED, EXPIRED)

CATEGORIES = ("researcher", "teacher", "student", "pupil", "pensioner", "other")   # of readers who ask for copies

# Refusals are counted by reason in the figures; "other" needs a text.
REFUSAL_REASONS = ("copyright", "not_in_collection", "too_much", "damaged_original", "incomplete_request",
                   "other")

LABELS = {  # for the CLI and CSV; the web app translates them itself
    NEW: "new", IN_PROGRESS: "in progress", WAITING: "waiting for requester", DELIVERED: "delivered",
    REFUSED: "refused", CANCELLED: "cancelled", EXPIRED: "expired",
    "copyright": "copyright does not allow the copy", "not_in_collection": "not in the library's collection",
    "too_much": "more than the copying rules allow", "damaged_original": "the original is too damaged to copy",
    "incomplete_request": "the request does not say what is wanted", "other": "other reason",
}
