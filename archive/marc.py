"""Documents as MARC records for the library catalogue (IRBIS64/RABIS): RUSMARC or MARC 21, UTF-8.

One record per document. Articles are component parts: RUSMARC leader/7 'a' with the newspaper
or journal in an embedded 463 field; MARC 21 leader/7 'b' with a 773 host item entry. The 856
field links the digitised copy: the PDF for open documents, the document's page (where a copy can
be requested) for documents given on request.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import BinaryIO, Iterable, Mapping

from pymarc import Field, Indicators, Leader, Record, Subfield, XMLWriter

from archive.catalog import Document
from archive.discovery import document_url, pdf_url
from archive.vocabulary import ARTICLE_KINDS

FORMATS = ("rusmarc", "marc21")
SERIALISATIONS = ("iso2709", "marcxml")
ON_REQUEST_NOTE = "Копия по запросу (электронная доставка документов)"
_INITIAL = re.compile(r"^(\w\.-?)+$")     # 'Қ.', 'А.С.', 'Ж.-П.'



def record(document: Document, format: str, base_url: str, holders: Mapping | None = None) -> Record:
    """The document's record; with ``holders`` (library code → ``archive.libraries.Library``, given when the
    system has several libraries) it names the holding library: RUSMARC 899, MARC 21 852 ($a its name,
    $b its code)."""
    made = (rusmarc if format == "rusmarc" else marc21)(document, base_url)
    holder = (holders or {}).get(document.library)
    if holder is not None:
        made.add_ordered_field(_field("899" if format == "rusmarc" else "852", "  ", a=holder.name("kk"),
                                      b=holder.code))
    return made


def write(documents: Iterable[Document], out: BinaryIO, format: str = "rusmarc",
          serialisation: str = "iso2709", base_url: str = "http://127.0.0.1:8000", holders: Mapping | None = None) -> int:
    """Write one record per document to ``out``; returns the number written."""
    count = 0
    writer = XMLWriter(out) if serialisation == "marcxml" else None
    for document in documents:
        made = record(document, format, base_url, holders)
        if writer:
            writer.write(made)
        else:
            out.write(made.as_marc())
        count += 1
    if writer:
        writer.close(close_fh=False)
    return count


# --- RUSMARC ---------------------------------------------------------------------------------


def rusmarc(document: Document, base_url: str) -> Record:
    part = document.kind in ARTICLE_KINDS
    made = _new_record(f"00000na{'a2' if part else 'm0'} 2200000 i 450 ", unicode_leader=False)
    made.add_field(Field("001", data=control_number(document)), Field("005", data=_stamp(document.updated_at)))
    made.add_field(_field("100", "  ", a=_rusmarc_100(document)), _field("101", "0 ", a=document.language))
    made.add_field(_field("200", "1 ", a=document.title, f=responsibility(document)))
    if not part:
        made.add_field(_field("210", "  ", d=_year(document)))
    made.add_field(_field("215", "  ", a=f"{document.page_count} с."))
    if document.notes:
        made.add_field(_field("300", "  ", a=document.notes))
    if part and document.source:
        made.add_field(_rusmarc_463(document))
    made.add_field(*[_field("606", "  ", a=rubric) for rubric in document.rubrics])
    if document.udc:
        made.add_field(_field("675", "  ", a=document.udc))
    for number, name in enumerate(map(parse_name, document.authors)):
        if name.person:
            made.add_field(_field("701" if number else "700", " 1", a=name.surname, b=name.initials,
                                  g=name.expanded))
        else:
            made.add_field(_field("711" if number else "710", "02", a=name.surname))
    made.add_field(_field_856(document, base_url, "4 "))
    return made


def _rusmarc_100(document: Document) -> str:
    """The general processing data: dates, cataloguing language, and the character set (50 = Unicode)."""
    year = _year(document)
    entered = document.created_at[:10].replace("-", "")
    return f"{entered}{'d' if year else 'u'}{year or '    '}    u  y0rusy50      ca"


def _rusmarc_463(document: Document) -> Field:
    """The host item as embedded fields: 200 (title, issue) and 210 (date); $v the pages."""
    subfields = [Subfield("1", "2001 "), Subfield("a", document.source)]
    if document.issue:
        subfields.append(Subfield("h", f"№ {document.issue}"))
    if document.published:
        subfields += [Subfield("1", "210  "), Subfield("d", document.published)]
    if document.source_pages:
        subfields.append(Subfield("v", f"С. {document.source_pages}"))
    return Field("463", Indicators(" ", "1"), subfields)


# --- MARC 21 ---------------------------------------------------------------------------------


def marc21(document: Document, base_url: str) -> Record:
    part = document.kind in ARTICLE_KINDS
    made = _new_record(f"00000na{'b' if part else 'm'} a22000007c 4500", unicode_leader=True)
    made.add_field(Field("001", data=control_number(document)), Field("005", data=_stamp(document.updated_at)),
                   Field("008", data=_marc21_008(document)))
    made.add_field(_field("040", "  ", b="rus"), _field("041", "0 ", a=document.language))
    if document.udc:
        made.add_field(_field("080", "  ", a=document.udc))
    names = [parse_name(author) for author in document.authors]
    if names:
        made.add_field(_marc21_name(names[0], "100", "110"))
    made.add_field(_field("245", ("1" if document.authors else "0") + "0", a=document.title,
                          c=responsibility(document)))
    if not part and _year(document):
        made.add_field(_field("264", " 1", c=_year(document)))
    made.add_field(_field("300", "  ", a=f"{document.page_count} с."))
    if document.notes:
        made.add_field(_field("500", "  ", a=document.notes))
    made.add_field(*[_field("650", " 4", a=rubric) for rubric in document.rubrics])
    made.add_field(*[_marc21_name(name, "700", "710") for name in names[1:]])
    if part and document.source:
        made.add_field(_field("773", "0 ", t=document.source, g=host_details(document), **{"7": "nnas"}))
    made.add_field(_field_856(document, base_url, "41"))
    return made


def _marc21_name(name: "Name", person_tag: str, corporate_tag: str) -> Field:
    if name.person:
        return _field(person_tag, "1 ", a=f"{name.surname}, {name.forenames}" if name.forenames else name.surname)
    return _field(corporate_tag, "2 ", a=name.surname)


def _marc21_008(document: Document) -> str:
    year = _year(document)
    entered = document.created_at[2:10].replace("-", "")
    material = "    " + " " + "o" + "    " + " " + "000" + " " + "0" + " "   # 18-34: books, form 'o' online
    return f"{entered}{'s' if year else 'n'}{year or 'uuuu'}    kz {material}{document.language} d"


def host_details(document: Document) -> str | None:
    """773 $g: '№ 12 (1998-05-14), С. 3'."""
    parts = [f"№ {document.issue}" if document.issue else "",
             f"({document.published})" if document.published else ""]
    text = " ".join(p for p in parts if p)
    if document.source_pages:
        text = f"{text}, С. {document.source_pages}" if text else f"С. {document.source_pages}"
    return text or None


# --- shared ----------------------------------------------------------------------------------


def control_number(document: Document) -> str:
    return f"olke-{document.id:06d}"


@dataclass(frozen=True)
class Name:
    surname: str                      # for a corporate author, the whole name
    forenames: str | None = None      # as written: 'А. С.' or 'Пётр Петрович'
    person: bool = True

    @property
    def initials(self) -> str | None:
        if not self.forenames:
            return None
        words = self.forenames.split()
        return self.forenames if all(_INITIAL.match(w) for w in words) else " ".join(f"{w[0]}." for w in words)

    @property
    def expanded(self) -> str | None:
        return self.forenames if self.forenames != self.initials else None

    @property
    def natural(self) -> str:
        return f"{self.forenames} {self.surname}" if self.forenames else self.surname


def parse_name(text: str) -> Name:
    """'Семёнов П. П.', 'Семёнов, Пётр', 'П. П. Семёнов' are persons; names with lowercase words
    ('Облыстық кітапхананың өлкетану бөлімі') or of more than four words are corporate bodies."""
    text = " ".join(text.split())
    if "," in text:
        surname, _, rest = text.partition(",")
        return Name(surname.strip(), rest.strip() or None)
    words = text.split()
    if len(words) > 4 or not all(w[0].isupper() or _INITIAL.match(w) for w in words):
        return Name(text, person=False)
    initials = [w for w in words if _INITIAL.match(w)]
    others = [w for w in words if not _INITIAL.match(w)]
    if _INITIAL.match(words[0]) and others:
        return Name(" ".join(others), " ".join(initials))
    return Name(words[0], " ".join(words[1:]) or None)


def responsibility(document: Document) -> str | None:
    """The statement of responsibility, names in natural order: 'М. Әуезов, П. П. Семёнов'."""
    return ", ".join(parse_name(name).natural for name in document.authors) or None


def _new_record(leader: str, unicode_leader: bool) -> Record:
    made = Record(force_utf8=True)
    made.leader = Leader(leader)
    made.to_unicode = unicode_leader   # pymarc would put MARC 21's 'a' in leader/9, undefined in RUSMARC
    return made


def _field(tag: str, indicators: str, **subfields: str | None) -> Field:
    return Field(tag, Indicators(*indicators),
                 [Subfield(code, value) for code, value in subfields.items() if value])


def _field_856(document: Document, base_url: str, indicators: str) -> Field:
    if document.access == "open":
        return _field("856", indicators, u=pdf_url(base_url, document.id), q="application/pdf")
    return _field("856", indicators, u=document_url(base_url, document.id), z=ON_REQUEST_NOTE)


def _year(document: Document) -> str | None:
    return document.published[:4] if document.published else None


def _stamp(iso: str) -> str:
    return datetime.fromisoformat(iso).strftime("%Y%m%d%H%M%S.0")
