"""A bibliographic reference to copy, in the short GOST style libraries in Kazakhstan use.

``Author. Title // Source. – Year. – № issue. – P. pages.`` for articles, and
``Author. Title. – Year. – N p.`` for books; the abbreviations follow the document's language.
(No Flask here: a candidate for archive/ once the delivery and report code needs it too.)
"""
from __future__ import annotations

ABBREVIATIONS = {"kaz": ("Б.", "б."), "rus": ("С.", "с.")}   # (pages in a source, page count)
DASH = " – "


def citation(document) -> str:
    pages_in, page_count = ABBREVIATIONS.get(document.language, ("P.", "p."))
    text = document.title.strip().rstrip(".")
    if document.authors:
        text = f"{', '.join(document.authors)} {text}" if _ends_with_initial(document.authors[-1]) \
            else f"{', '.join(document.authors)}. {text}"
    year = (document.published or "")[:4]
    if document.source:
        text += f" // {document.source.strip().rstrip('.')}"
        parts = [year, f"№ {document.issue}" if document.issue else "",
                 f"{pages_in} {document.source_pages}" if document.source_pages else ""]
    else:
        parts = [year, f"{document.page_count} {page_count}" if document.page_count else ""]
    text += "".join(f".{DASH}{part}" for part in parts if part)
    return text if text.endswith(".") else text + "."


def _ends_with_initial(name: str) -> bool:
    return name.endswith(".")
