"""OAI-PMH 2.0 over the catalog: a request's arguments in, the response's XML out (no web framework here).

- Records are documents, identified as ``oai:<namespace>:<id>``; metadata in ``oai_dc`` and in
  ``marc21`` (MARCXML: the record ``olke export marc --format marc21`` writes, for catalogues that
  harvest MARC, with the holding library where the system has several).
- A record's datestamp is its document's latest catalog event (or its latest addition to a
  collection), in UTC to the second. Deleted documents stay as deleted records ("persistent").
- Sets: ``kind`` with ``kind:<kind>``, and ``collection`` with ``collection:<name>`` when the
  catalog has collections.
- Lists come in pages of ``PAGE_SIZE``; a resumption token carries the query and the last id sent,
  so documents added during a harvest never shift the pages.
"""
from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Mapping

import pymarc
from lxml import etree as ET

from archive import libraries, marc
from archive.catalog import Catalog, Document
from archive.db import Connection
from archive.discovery import document_url, pdf_url
from archive.vocabulary import KINDS

OAI = "http://www.openarchives.org/OAI/2.0/"
OAI_DC = "http://www.openarchives.org/OAI/2.0/oai_dc/"
DC = "http://purl.org/dc/elements/1.1/"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
OAI_DC_SCHEMA = "http://www.openarchives.org/OAI/2.0/oai_dc.xsd"
MARCXML = "http://www.loc.gov/MARC21/slim"
MARCXML_SCHEMA = "http://www.loc.gov/standards/marcxml/schema/MARC21slim.xsd"
FORMATS = {"oai_dc": (OAI_DC_SCHEMA, OAI_DC), "marc21": (MARCXML_SCHEMA, MARCXML)}   # prefix: schema, namespace

PAGE_SIZE = 100
GRANULARITY = "YYYY-MM-DDThh:mm:ssZ"
LIST_VERBS = ("ListIdentifiers", "ListRecords")
ARGUMENTS = {  # verb: (required, optional); resumptionToken is exclusive and only for the list verbs
    "Identify": (set(), set()),
    "ListMetadataFormats": (set(), {"identifier"}),
    "ListSets": (set(), set()),
    "ListIdentifiers": ({"metadataPrefix"}, {"from", "until", "set"}),
    "ListRecords": ({"metadataPrefix"}, {"from", "until", "set"}),
    "GetRecord": ({"identifier", "metadataPrefix"}, set()),
}
KIND_NAMES = {"newspaper_article": "Газет мақалалары / Газетные статьи / Newspaper articles",
              "journal_article": "Журнал мақалалары / Журнальные статьи / Journal articles",
              "book": "Кітаптар / Книги / Books", "other": "Басқа құжаттар / Другие документы / Other documents"}
EU_REPO_TYPES = {"newspaper_article": "article", "journal_article": "article", "book": "book", "other": "other"}
RIGHTS = {"open": ("info:eu-repo/semantics/openAccess", "open: free download"),
          "on_request": ("info:eu-repo/semantics/restrictedAccess",
                         "on_request: copies through electronic document delivery")}
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_SECOND = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
_NUMBER = re.compile(r"^[1-9][0-9]{0,17}$")     # as the record's own identifier writes it: no leading 0
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


@dataclass(frozen=True)
class Repository:
    base_url: str                     # this endpoint, e.g. https://olke.example.kz/oai
    site_url: str                     # the reading room, for links to documents
    name: str = "Olke"
    admin_email: str = "olke@localhost"
    namespace: str = "olke"           # oai:<namespace>:<id>; a library's own domain is the safest choice


class OaiError(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


@dataclass
class Query:
    verb: str
    prefix: str
    set_spec: str | None = None
    start: str = "0000"               # stamps compared as 'YYYY-MM-DDTHH:MM:SS'
    end: str = "9999"
    after: int = 0                    # the last id already sent
    cursor: int = 0
    raw_from: str | None = None
    raw_until: str | None = None


def respond(catalog: Catalog, args: Mapping[str, str | list[str]], repository: Repository,
            now: datetime | None = None) -> bytes:
    """The complete OAI-PMH response document for one request."""
    args = {k: v if isinstance(v, list) else [v] for k, v in args.items()}
    root = ET.Element(f"{{{OAI}}}OAI-PMH", {f"{{{XSI}}}schemaLocation": f"{OAI} {OAI[:-1]}/OAI-PMH.xsd"},
                      nsmap={None: OAI, "xsi": XSI})
    _text(root, "responseDate", _utc(now or datetime.now(timezone.utc)))
    request = _text(root, "request", repository.base_url)
    try:
        verb = _check_arguments(args)
        root.append(HANDLERS[verb](catalog, {k: v[0] for k, v in args.items() if k != "verb"}, repository))
        echo = True
    except OaiError as error:
        echo = error.code not in ("badVerb", "badArgument")   # the protocol forbids echoing those
        _text(root, "error", str(error)).set("code", error.code)
    if echo:
        request.attrib.update({k: v[0] for k, v in sorted(args.items())})
    return ET.tostring(root, encoding="UTF-8", xml_declaration=True)


def _check_arguments(args: dict[str, list[str]]) -> str:
    verbs = args.get("verb", [])
    if len(verbs) != 1 or verbs[0] not in ARGUMENTS:
        raise OaiError("badVerb", "the verb argument is missing, repeated or not one of: " + ", ".join(ARGUMENTS))
    verb = verbs[0]
    if any(_NOT_XML.search(text) for key, values in args.items() for text in (key, *values)):
        raise OaiError("badArgument", "an argument holds characters that XML cannot carry")
    repeated = sorted(k for k, v in args.items() if len(v) > 1)
    if repeated:
        raise OaiError("badArgument", f"the argument '{repeated[0]}' is repeated")
    given = set(args) - {"verb"}
    if "resumptionToken" in given:
        if verb not in LIST_VERBS + ("ListSets",) or given != {"resumptionToken"}:
            raise OaiError("badArgument", "resumptionToken is only for list verbs, and only with the verb")
        return verb
    required, optional = ARGUMENTS[verb]
    if required - given:
        raise OaiError("badArgument", f"{verb} needs the argument '{sorted(required - given)[0]}'")
    if given - required - optional:
        raise OaiError("badArgument", f"{verb} does not take the argument '{sorted(given - required - optional)[0]}'")
    return verb


# --- the verbs -------------------------------------------------------------------------------


def identify(catalog: Catalog, args: dict, repository: Repository) -> ET.Element:
    element = ET.Element(f"{{{OAI}}}Identify")
    earliest = catalog.conn.execute(f"SELECT MIN(stamp) FROM ({_STAMPED}) d").fetchone()[0]
    for name, value in (("repositoryName", repository.name), ("baseURL", repository.base_url),
                        ("protocolVersion", "2.0"), ("adminEmail", repository.admin_email),
                        ("earliestDatestamp", _zulu(earliest) if earliest else _utc(datetime.now(timezone.utc))),
                        ("deletedRecord", "persistent"), ("granularity", GRANULARITY)):
        _text(element, name, value)
    return element


def list_metadata_formats(catalog: Catalog, args: dict, repository: Repository) -> ET.Element:
    if "identifier" in args:
        _document(catalog, args["identifier"], repository)
    element = ET.Element(f"{{{OAI}}}ListMetadataFormats")
    for prefix, (schema, namespace) in FORMATS.items():
        entry = ET.SubElement(element, f"{{{OAI}}}metadataFormat")
        for name, value in (("metadataPrefix", prefix), ("schema", schema), ("metadataNamespace", namespace)):
            _text(entry, name, value)
    return element


def list_sets(catalog: Catalog, args: dict, repository: Repository) -> ET.Element:
    if "resumptionToken" in args:
        raise OaiError("badResumptionToken", "set lists come whole; this token was not issued here")
    element = ET.Element(f"{{{OAI}}}ListSets")
    sets = [("kind", "Құжат түрлері / Виды документов / Kinds of documents", None)]
    sets += [(f"kind:{kind}", KIND_NAMES[kind], None) for kind in KINDS]
    collections = catalog.conn.execute("SELECT name, title_kk, title_ru, title_en, description FROM collections"
                                       " ORDER BY name").fetchall()
    if collections:
        sets.append(("collection", "Жинақтар / Коллекции / Collections", None))
    for row in collections:
        titles = [t for t in (row["title_kk"], row["title_ru"], row["title_en"]) if t]
        sets.append((f"collection:{row['name']}", " / ".join(titles) or row["name"], row["description"]))
    several = _libraries(catalog.conn)
    if several:
        sets.append(("library", "Кітапханалар / Библиотеки / Libraries", None))
        sets += [(f"library:{lib.code}", " / ".join(dict.fromkeys(lib.name(x) for x in ("kk", "ru", "en"))), None)
                 for lib in several]
    for spec, name, description in sets:
        entry = ET.SubElement(element, f"{{{OAI}}}set")
        _text(entry, "setSpec", spec)
        _text(entry, "setName", name)
        if description:
            dc = _oai_dc(ET.SubElement(entry, f"{{{OAI}}}setDescription"))
            ET.SubElement(dc, f"{{{DC}}}description").text = description
    return element


def get_record(catalog: Catalog, args: dict, repository: Repository) -> ET.Element:
    _check_prefix(args["metadataPrefix"])
    document = _document(catalog, args["identifier"], repository)
    (row,) = _stamped_rows(catalog.conn, "d.id = :id", {"id": document.id})
    element = ET.Element(f"{{{OAI}}}GetRecord")
    _record(element, catalog, row, _memberships(catalog.conn, [document.id]), repository, with_metadata=True,
            holders=_holders(catalog.conn), prefix=args["metadataPrefix"])
    return element


def list_records(catalog: Catalog, args: dict, repository: Repository, with_metadata: bool = True) -> ET.Element:
    verb = "ListRecords" if with_metadata else "ListIdentifiers"
    query = _decode_token(args["resumptionToken"], verb) if "resumptionToken" in args else _new_query(verb, args)
    where, params = _filters(catalog.conn, query)
    rows = _stamped_rows(catalog.conn, f"{where} AND d.id > :after", {**params, "after": query.after},
                         limit=PAGE_SIZE + 1)
    if not rows:
        raise OaiError("noRecordsMatch", "no records match these arguments")
    more, rows = len(rows) > PAGE_SIZE, rows[:PAGE_SIZE]
    element = ET.Element(f"{{{OAI}}}{verb}")
    memberships = _memberships(catalog.conn, [row["id"] for row in rows])
    holders = _holders(catalog.conn)          # once a page, not once a record
    for row in rows:
        _record(element, catalog, row, memberships, repository, with_metadata, holders, query.prefix)
    if more or query.cursor:
        sent = query.cursor + len(rows)
        total = catalog.conn.execute(f"SELECT COUNT(*) FROM ({_STAMPED}) d WHERE {where}",
                                     params).fetchone()[0]
        token = _text(element, "resumptionToken", _encode_token(query, rows[-1]["id"], sent) if more else "")
        token.attrib.update({"completeListSize": str(max(total, sent)), "cursor": str(query.cursor)})
    return element


def list_identifiers(catalog: Catalog, args: dict, repository: Repository) -> ET.Element:
    return list_records(catalog, args, repository, with_metadata=False)


HANDLERS = {"Identify": identify, "ListMetadataFormats": list_metadata_formats, "ListSets": list_sets,
            "GetRecord": get_record, "ListRecords": list_records, "ListIdentifiers": list_identifiers}


# --- queries ---------------------------------------------------------------------------------

# Every document with its datestamp (UTC 'YYYY-MM-DDTHH:MM:SS'); catalog times are all written '+00:00'.
# The later of its last change and its last addition to a collection.
_STAMPED = """SELECT s.id, s.status, s.kind, s.library,
    substr(CASE WHEN s.changed >= s.added THEN s.changed ELSE s.added END, 1, 19) AS stamp
    FROM (SELECT d.id, d.status, d.kind, d.library,
        COALESCE((SELECT MAX(e.at) FROM events e WHERE e.document_id = d.id), d.updated_at) AS changed,
        COALESCE((SELECT MAX(cd.added_at) FROM collection_documents cd WHERE cd.document_id = d.id), '') AS added
        FROM documents d) s"""


def _stamped_rows(conn: Connection, where: str, params: dict, limit: int | None = None) -> list:
    sql = f"SELECT * FROM ({_STAMPED}) d WHERE {where} ORDER BY d.id"
    return conn.execute(sql + (f" LIMIT {int(limit)}" if limit else ""), params).fetchall()


def _filters(conn: Connection, query: Query) -> tuple[str, dict]:
    where, params = ["d.stamp >= :start", "d.stamp <= :end"], {"start": query.start, "end": query.end}
    spec = query.set_spec
    if spec and spec.startswith("kind:"):
        where.append("d.kind = :kind")
        params["kind"] = spec[5:]
    elif spec in ("collection",) or (spec or "").startswith("collection:"):
        named = " AND c.name = :collection" if spec != "collection" else ""
        where.append("EXISTS (SELECT 1 FROM collection_documents cd JOIN collections c ON c.id = cd.collection_id"
                     f" WHERE cd.document_id = d.id{named})")
        if named:
            params["collection"] = spec[11:]
    elif spec and (spec == "library" or spec.startswith("library:")) and _libraries(conn):
        if spec != "library":
            where.append("d.library = :library")
            params["library"] = spec[8:]
    elif spec not in (None, "kind"):
        where.append("1 = 0")
    return " AND ".join(where), params


def _libraries(conn: Connection) -> list:
    """The libraries of the system when it has several (each a set of its holdings); none for one library."""
    found = libraries.all_libraries(conn)
    return found if len(found) > 1 else []


def _holders(conn: Connection) -> dict[str, libraries.Library] | None:
    """The libraries by code when the system has several (a set each, and a MARC record's holder)."""
    return {library.code: library for library in _libraries(conn)} or None


def _memberships(conn: Connection, ids: list[int]) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    if ids:
        for document_id, name in conn.execute(
                "SELECT cd.document_id, c.name FROM collection_documents cd JOIN collections c"
                " ON c.id = cd.collection_id WHERE cd.document_id IN :ids ORDER BY c.name", {"ids": ids}):
            found.setdefault(document_id, []).append(name)
    return found


def _document(catalog: Catalog, identifier: str, repository: Repository) -> Document:
    prefix = f"oai:{repository.namespace}:"
    number = identifier[len(prefix):] if identifier.startswith(prefix) else ""
    row = catalog.conn.execute("SELECT id FROM documents WHERE id = :id", {"id": int(number)}).fetchone() \
        if _NUMBER.match(number) else None
    if row is None:
        raise OaiError("idDoesNotExist", f"no record '{identifier}' in this repository")
    return catalog.get(row[0], include_deleted=True)


# --- arguments and tokens ----------------------------------------------------------------------


def _new_query(verb: str, args: dict) -> Query:
    _check_prefix(args["metadataPrefix"])
    query = Query(verb, args["metadataPrefix"], args.get("set"), raw_from=args.get("from"),
                  raw_until=args.get("until"))
    _apply_dates(query)
    return query


def _apply_dates(query: Query) -> None:
    start, end = query.raw_from, query.raw_until
    for value in (start, end):
        if value is not None and not _valid_date(value):
            raise OaiError("badArgument", f"'{value}' is not a date: use YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ")
    if start and end and len(start) != len(end):
        raise OaiError("badArgument", "from and until must have the same granularity")
    if start:
        query.start = start.rstrip("Z") if len(start) > 10 else f"{start}T00:00:00"
    if end:
        query.end = end.rstrip("Z") if len(end) > 10 else f"{end}T23:59:59"
    if query.start > query.end:
        raise OaiError("badArgument", "from is later than until")


def _valid_date(value: str) -> bool:
    if not (_DAY.match(value) or _SECOND.match(value)):
        return False
    try:
        datetime.fromisoformat(value.rstrip("Z"))
    except ValueError:
        return False
    return True


def _check_prefix(prefix: str) -> None:
    if prefix not in FORMATS:
        raise OaiError("cannotDisseminateFormat", f"metadata format '{prefix}' is not offered; use "
                                                  + " or ".join(FORMATS))


def _encode_token(query: Query, last_id: int, sent: int) -> str:
    data = {"v": query.verb, "p": query.prefix, "s": query.set_spec, "f": query.raw_from, "u": query.raw_until,
            "a": last_id, "c": sent}
    return base64.urlsafe_b64encode(json.dumps(data, separators=(",", ":")).encode()).decode().rstrip("=")


def _decode_token(token: str, verb: str) -> Query:
    try:
        data = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        query = Query(verb, data["p"], data["s"], after=int(data["a"]), cursor=int(data["c"]),
                      raw_from=data["f"], raw_until=data["u"])
        texts = (query.set_spec, query.raw_from, query.raw_until)
        valid = (data["v"] == verb and query.prefix in FORMATS and 0 <= query.after < 2**62 and query.cursor > 0
                 and all(v is None or isinstance(v, str) for v in texts))
    except (ValueError, TypeError, KeyError, AttributeError, binascii.Error, UnicodeDecodeError):
        valid = False
    if not valid:
        raise OaiError("badResumptionToken", "this resumption token is not valid; start the list again")
    try:
        _apply_dates(query)
    except OaiError:
        raise OaiError("badResumptionToken", "this resumption token is not valid; start the list again") from None
    return query


# --- records ---------------------------------------------------------------------------------


def _record(parent: ET.Element, catalog: Catalog, row, memberships: dict[int, list[str]], repository: Repository,
            with_metadata: bool, holders: dict | None, prefix: str = "oai_dc") -> None:
    """One record's header (and metadata, in `prefix`'s format); `holders`: the libraries by code
    when the system has several (a set each)."""
    deleted = row["status"] == "deleted"
    target = ET.SubElement(parent, f"{{{OAI}}}record") if with_metadata else parent
    header = ET.SubElement(target, f"{{{OAI}}}header", {"status": "deleted"} if deleted else {})
    _text(header, "identifier", f"oai:{repository.namespace}:{row['id']}")
    _text(header, "datestamp", _zulu(row["stamp"]))
    _text(header, "setSpec", f"kind:{row['kind']}")
    for name in memberships.get(row["id"], []):
        _text(header, "setSpec", f"collection:{name}")
    if holders:
        _text(header, "setSpec", f"library:{row['library']}")
    if with_metadata and not deleted:
        document = catalog.get(row["id"])
        metadata = ET.SubElement(target, f"{{{OAI}}}metadata")
        if prefix == "marc21":
            metadata.append(ET.fromstring(pymarc.record_to_xml(
                marc.record(document, "marc21", repository.site_url, holders), namespace=True)))
        else:
            dublin_core(metadata, document, repository)


def dublin_core(parent: ET.Element, document: Document, repository: Repository) -> ET.Element:
    """The document as unqualified Dublin Core."""
    dc = _oai_dc(parent)
    values = [("title", document.title), *[("creator", a) for a in document.authors],
              *[("subject", r) for r in document.rubrics], ("subject", f"УДК {document.udc}" if document.udc else None),
              ("description", document.notes), ("source", source_text(document)), ("date", document.published),
              ("type", "Text"), ("type", f"info:eu-repo/semantics/{EU_REPO_TYPES[document.kind]}"),
              ("type", document.kind), ("format", "application/pdf"),
              ("identifier", document_url(repository.site_url, document.id)),
              ("identifier", pdf_url(repository.site_url, document.id) if document.access == "open" else None),
              ("identifier", f"oai:{repository.namespace}:{document.id}"), ("language", document.language),
              *[("rights", r) for r in RIGHTS[document.access]]]
    for name, value in values:
        if value:
            ET.SubElement(dc, f"{{{DC}}}{name}").text = value
    return dc


def source_text(document: Document) -> str | None:
    """'Өлке тынысы, № 12, 1998-05-14, pp. 3-4' for articles."""
    if not document.source:
        return None
    parts = [document.source, f"№ {document.issue}" if document.issue else "",
             document.published or "", f"pp. {document.source_pages}" if document.source_pages else ""]
    return ", ".join(p for p in parts if p)


def _oai_dc(parent: ET.Element) -> ET.Element:
    return ET.SubElement(parent, f"{{{OAI_DC}}}dc", {f"{{{XSI}}}schemaLocation": f"{OAI_DC} {OAI_DC_SCHEMA}"},
                         nsmap={"oai_dc": OAI_DC, "dc": DC, "xsi": XSI})


def _text(parent: ET.Element, name: str, value: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{OAI}}}{name}")
    element.text = value
    return element


def _utc(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _zulu(stamp: str) -> str:
    return stamp[:19] + "Z"
