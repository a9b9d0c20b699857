"""The copying rules: what a library may copy for one reader, and whether a request stays within them.

- a newspaper or journal article may be copied whole (``whole_article``);
- of a book (or another document) at most ``book_percent`` of its pages;
- a public-domain work in full: one published before ``public_domain_before``, or one whose notes
  carry the ``public_domain_tag`` word (the bibliographer marks it: ``olke ingest … --notes public-domain``).

A request beyond the rules is not refused by Olke: the form warns the requester and the staff
screen warns staff, who decide.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from archive.catalog import Document
from archive.delivery import pages as page_ranges
from archive.delivery.settings import RuleSettings
from archive.vocabulary import ARTICLE_KINDS


@dataclass(frozen=True)
class RuleCheck:
    allowed: bool
    basis: str                 # public_domain | whole_article | share | over_share | citation
    share: float | None = None       # percent of the document's pages asked for
    limit: float | None = None

    @property
    def message(self) -> str:
        if self.basis == "over_share":
            return (f"asks for {self.share:.0f}% of the document; the copying rules allow "
                    f"{self.limit:g}% of a book")
        if self.basis == "share":
            return f"{self.share:.0f}% of the document, within the {self.limit:g}% allowed"
        return {"public_domain": "a public-domain work: may be copied in full",
                "whole_article": "an article: may be copied whole",
                "citation": "not in the archive: check the copying rules by hand"}[self.basis]


def is_public_domain(document: Document, rules: RuleSettings) -> bool:
    tag = rules.public_domain_tag.strip().lower()
    if tag and re.search(rf"(?<![\w-]){re.escape(tag)}(?![\w-])", (document.notes or "").lower()):
        return True
    year = (document.published or "")[:4]
    return year.isascii() and year.isdigit() and int(year) < rules.public_domain_before


def check(document: Document | None, pages: str, rules: RuleSettings) -> RuleCheck:
    """``pages`` as the requester wrote them (already valid for the document)."""
    if document is None:
        return RuleCheck(True, "citation")
    if is_public_domain(document, rules):
        return RuleCheck(True, "public_domain")
    if document.kind in ARTICLE_KINDS and rules.whole_article:
        return RuleCheck(True, "whole_article")
    wanted = len(page_ranges.parse(pages, document.page_count))
    share = 100.0 * wanted / max(1, document.page_count)
    if share <= rules.book_percent + 1e-9:
        return RuleCheck(True, "share", share, rules.book_percent)
    return RuleCheck(False, "over_share", share, rules.book_percent)
