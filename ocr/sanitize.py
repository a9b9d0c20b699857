"""Take out of a PDF what the reading room must never serve: scripts, actions, attachments, media.

Removed: JavaScript (actions, the document's scripts, XFA forms), automatic actions (``/OpenAction``,
every ``/AA``), actions that open files or send data (Launch, GoToR, GoToE, SubmitForm,
ImportData), links to addresses other than http, https and mailto, attached and embedded files
(``/EmbeddedFiles``, ``/AF``, ``/FileAttachment`` annotations) and multimedia. Page content,
links within the document and web links stay. pikepdf's own sanitizer does most of it; the rest,
and a count of what was there, come from one walk over every object the file reaches, which is
repeated afterwards: anything still there stops the document (``ActiveContentLeft``).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import pikepdf
from pikepdf import Array, Dictionary, Name, Stream
from pikepdf import sanitize as pikepdf_sanitize

from archive.errors import ActiveContentLeft, shown

KEPT_ACTIONS = {"/GoTo", "/URI", "/Named"}        # a click within the document, or to a web page
LINK_SCHEMES = ("http:", "https:", "mailto:")
OUTSIDE_ACTIONS = {"/Launch", "/GoToR", "/GoToE", "/SubmitForm", "/ImportData", "/Rendition", "/Movie",
                   "/Sound", "/RichMediaExecute", "/Hide", "/ResetForm", "/SetOCGState", "/Trans", "/GoTo3DView"}
MEDIA_KEYS = ("/Movie", "/Sound", "/RichMediaContent", "/3DD")


@dataclass
class ActiveContent:
    javascript: int = 0
    automatic_actions: int = 0
    other_actions: int = 0
    attachments: list[str] = field(default_factory=list)
    media: int = 0

    def __bool__(self) -> bool:
        return bool(self.javascript or self.automatic_actions or self.other_actions or self.attachments
                    or self.media)

    def describe(self) -> str:
        parts = [(self.javascript, "JavaScript"), (self.automatic_actions, "automatic actions"),
                 (self.other_actions, "actions that open files, send data or play media"),
                 (self.media, "multimedia")]
        text = [f"{label} ({count})" for count, label in parts if count]
        if self.attachments:
            text.append(f"attached files ({len(self.attachments)}: {', '.join(sorted(self.attachments))})")
        return ", ".join(text)


def clean(pdf_path: Path, sources: list[Path] = ()) -> list[str]:
    """Sanitise ``pdf_path`` in place; a line saying what was removed, or nothing if there was nothing.

    ``sources`` are the PDFs it was made from: when their pages were rendered into images, what they
    carried is left out of ``pdf_path`` already, and is reported all the same.
    """
    with pikepdf.open(pdf_path, allow_overwriting_input=True) as pdf:
        found = active_content(pdf)
        if not found:
            left_out = [_content_of(source) for source in sources]
            return [f"removed {c.describe()}" for c in left_out if c][:1]
        pikepdf_sanitize.remove_javascript(pdf)
        pikepdf_sanitize.remove_attachments(pdf)
        pikepdf_sanitize.remove_multimedia(pdf)
        for holder in _reachable(pdf):
            _strip(holder)
        left = active_content(pdf)
        if left:
            named = (list(sources) or [pdf_path])[0]      # the file the bibliographer gave, not the staged copy
            raise ActiveContentLeft(f"could not remove all of its active content ({left.describe()}); print it "
                                    "to a new PDF or scan the paper, and ingest that", named)
        pdf.save(pdf_path)
    return [f"removed {found.describe()}"]


def _content_of(path: Path) -> ActiveContent:
    with pikepdf.open(path) as pdf:
        return active_content(pdf)


def active_content(pdf: pikepdf.Pdf) -> ActiveContent:
    found = ActiveContent()
    for obj in _reachable(pdf):
        kind = _name(obj.get("/S"))
        if kind == "/JavaScript" or "/JS" in obj or "/XFA" in obj:
            found.javascript += 1
        elif kind in OUTSIDE_ACTIONS or (kind == "/URI" and not _web_link(obj)):
            found.other_actions += 1
        if isinstance(obj.get("/OpenAction"), Dictionary):     # not a page to open at, which is harmless
            found.automatic_actions += 1
        additional = obj.get("/AA")
        if additional is not None:
            found.automatic_actions += len(additional.keys()) if isinstance(additional, Dictionary) else 1
        if "/EF" in obj or _name(obj.get("/Subtype")) == "/FileAttachment":
            if "/EF" in obj or "/FS" not in obj:
                found.attachments.append(_file_name(obj))
        if any(key in obj for key in MEDIA_KEYS):
            found.media += 1
    return found


def _strip(obj: Dictionary | Stream) -> None:
    for key in ("/AA", "/XFA", "/JS"):
        if key in obj:
            del obj[key]
    if isinstance(obj.get("/OpenAction"), Dictionary):
        del obj["/OpenAction"]
    action = obj.get("/A")
    if isinstance(action, Dictionary):
        if _name(action.get("/S")) not in KEPT_ACTIONS or not _web_link(action):
            del obj["/A"]
        elif "/Next" in action:
            del action["/Next"]
    annotations = obj.get("/Annots")
    if isinstance(annotations, Array):
        kept = [a for a in annotations if not (isinstance(a, Dictionary)
                                               and _name(a.get("/Subtype")) == "/FileAttachment")]
        if len(kept) != len(annotations):
            obj["/Annots"] = Array(kept)
    names = obj.get("/Names") if _name(obj.get("/Type")) == "/Catalog" else None
    if isinstance(names, Dictionary):
        for key in ("/JavaScript", "/EmbeddedFiles"):
            if key in names:
                del names[key]


def _reachable(pdf: pikepdf.Pdf) -> Iterator[Dictionary | Stream]:
    """Every dictionary and stream the file reaches from its trailer, each once; stream data is not read."""
    stack: list = [pdf.trailer]
    seen: set[tuple[int, int]] = set()
    while stack:
        obj = stack.pop()
        if isinstance(obj, (Dictionary, Stream, Array)) and obj.is_indirect:
            if obj.objgen in seen:
                continue
            seen.add(obj.objgen)
        if isinstance(obj, (Dictionary, Stream)):
            yield obj
            stack.extend(obj[key] for key in list(obj.keys()))
        elif isinstance(obj, Array):
            stack.extend(obj)


def _web_link(action) -> bool:
    if _name(action.get("/S")) != "/URI":
        return True
    address = action.get("/URI")
    return address is not None and str(address).strip().lower().startswith(LINK_SCHEMES)


def _name(value) -> str | None:
    return str(value) if isinstance(value, Name) else None


def _file_name(obj) -> str:
    spec = obj.get("/FS", obj)
    for key in ("/UF", "/F"):
        value = spec.get(key) if isinstance(spec, Dictionary) else None
        if value is not None:
            return shown(str(value))
    return "without a name"
