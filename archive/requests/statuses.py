"""A request's statuses and the moves between them; reader categories and refusal reasons.

new → in_progress → (waiting) → delivered | refused | cancelled; any open request may expire.
"""
from __future__ import annotations

NEW, IN_PROGRESS, WAITING = "new", "in_progress", "waiting"
DELIVERED, REFUSED, CANCELLED, EXPIRED = "delivered", "refused", "cancelled", "expired"
STATUSES = (NEW, IN_PROGRESS, WAITING, DELIVERED, REFUSED, CANCELLED, EXPIRED)
OPEN = (NEW, IN_PROGRESS, WAITING)
CLOSED = (DELIVERED, REFUSED, CANCELLED, EXPIRED)

MOVES = {
    NEW: (IN_PROGRESS, WAITING, DELIVERED, REFUSED, CANCELLED, EXPIRED),
    IN_PROGRESS: (WAITING, DELIVERED, REFUSED, CANCELLED, EXPIRED),
    WAITING: (IN_PROGRESS, DELIVERED, REFUSED, CANCELLED, EXPIRED),
    DELIVERED: (DELIVERED,),              # a new copy may be sent (a fresh link)
    REFUSED: (), CANCELLED: (), EXPIRED: (),
}

CATEGORIES = ("researcher", "teacher", "student", "pupil", "pensioner", "other")
LANGUAGES = ("kk", "ru", "en")

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


def can_move(current: str, target: str) -> bool:
    return target in MOVES.get(current, ())
