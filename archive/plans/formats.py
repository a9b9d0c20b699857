"""The plan report on paper and on screen: a text table, CSV, JSON, XLSX or PDF, in the library's layout.

Every format shows the same lines per row — plan, what the plan states where that differs, done, and
percent done — then the summary with sizes in MB, what is still to go, and where the plan does not
add up. The numbers all come from one ``Report``; only the layout differs.
"""
from __future__ import annotations

import io
import json
from dataclasses import dataclass
from pathlib import Path

from archive.clock import local_time
from archive.csv_safe import SafeWriter
from archive.errors import MissingDependency
from archive.plans.plan import COLUMNS, DELIVERY, DELIVERY_MEASURE, LIBRARY_KINDS, MEASURES, TOTAL, Plan, is_total
from archive.plans.report import (Cell, LibraryRow, Report, Row, column_label, inconsistency_sentence, label, mb_text,
                                  row_label_key, stated_inline, title)

FORMATS = ("table", "csv", "json", "xlsx", "pdf")
BINARY_FORMATS = ("xlsx", "pdf")
LINES = ("plan", "stated", "actual", "percent")
KAZAKH_LETTERS = "ӘәҒғҚқҢңӨөҰұҮүҺһІі"
FONTS = (("/usr/share/fonts/truetype/paratype/PTS55F.ttf", "/usr/share/fonts/truetype/paratype/PTS75F.ttf"),
         ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"))
HIGHLIGHT = (255, 236, 160)       # cells where the plan's stated figure differs from the computed one
HEADING = (225, 232, 240)


def render(report: Report, fmt: str, lang: str = "kk") -> str | bytes:
    renderers = {"table": render_table, "csv": render_csv, "json": render_json, "xlsx": render_xlsx,
                 "pdf": render_pdf}
    return renderers[fmt](report, lang)


# --- the grid every format shares --------------------------------------------------------------

@dataclass
class GridLine:
    row: Row
    line: str                      # plan | stated | actual | percent
    cells: list[Cell | None]       # one per report column; None where the row has no such column

    @property
    def first(self) -> bool:
        return self.line == "plan"


def grid(report: Report, with_stated: bool) -> list[GridLine]:
    lines = []
    for row in [*report.rows, report.deliveries]:
        cells = [row.cell(q, k) for q, k in report.columns]
        differs = with_stated and any(c is not None and c.differs for c in cells)
        lines += [GridLine(row, line, cells) for line in LINES if line != "stated" or differs]
    return lines


def number(cell: Cell | None, line: str) -> int | None:
    if cell is None:
        return None
    return {"plan": cell.plan, "stated": cell.stated if cell.differs else None, "actual": cell.actual,
            "percent": cell.percent}[line]


def text(cell: Cell | None, line: str, lang: str, inline_stated: bool) -> str:
    if cell is None:
        return ""
    if line == "plan" and inline_stated:
        return stated_inline(lang, cell)
    if line == "percent":
        return "—" if cell.percent is None else f"{cell.percent}%"
    value = number(cell, line)
    return "" if value is None else str(value)


def row_label(lang: str, row: Row) -> str:
    return label(lang, row_label_key(row))


def headers(report: Report, lang: str, short: bool = False) -> list[str]:
    return [label(lang, "kazakh_short") if short and k else column_label(lang, report.year, q, k)
            for q, k in report.columns]


def closing_paragraphs(report: Report, lang: str) -> list[tuple[str, list[str]]]:
    """(heading, sentences) after the table: summary, still to go, where the plan does not add up."""
    data = report.as_dict(lang)
    summary = [r["text"] for r in data["summary"]["rows"]] + [data["summary"]["electronic_delivery"]["text"]]
    to_go = [t["text"] for t in data["to_go"]["items"]] or [data["to_go"]["none_text"]]
    parts = [(data["summary"]["heading"], summary), (data["to_go"]["heading"], to_go)]
    if report.libraries:
        parts.append((data["libraries"]["heading"], [library_sentence(lang, row) for row in report.libraries]))
    if data["inconsistencies"]:
        parts.append((label(lang, "inconsistencies_heading"), [i["text"] for i in data["inconsistencies"]]))
    return parts


def library_sentence(lang: str, row: LibraryRow) -> str:
    """A library's line in the system's report: each figure done / planned."""
    def cell(c) -> str:
        return f"{c.actual} / {c.plan}"

    text = label(lang, "library_line").format(
        name=row.library.name(lang), mb=mb_text(lang, row.mb),
        **{k: cell(getattr(row, k)) for k in ("documents", "documents_kaz", "pages", "pages_kaz", "deliveries")})
    return text if row.has_plan else f"{text} ({label(lang, 'no_plan')})"


def preamble(report: Report, lang: str) -> list[str]:
    plan = report.plan
    lines = [title(lang, report)]
    if report.library is not None:
        lines.append(report.library.name(lang))
    if plan.library or plan.title:
        lines.append(" — ".join(x for x in (plan.library, plan.title) if x))
    lines.append(label(lang, "plan_source").format(source=plan.source_name, at=_loaded(plan), by=plan.loaded_by))
    lines.append(label(lang, "made_on").format(date=report.made_on.isoformat()))
    return lines


# --- text formats ------------------------------------------------------------------------------

def text_table(header: list[str], body: list[list[str]], left: int = 2) -> str:
    """Columns padded to their widest cell; the first ``left`` columns left-aligned, the rest right."""
    widths = [max(len(r[i]) for r in [header, *body]) for i in range(len(header))]
    out = []
    for r in [header, *body]:
        out.append("  ".join(c.ljust(w) if i < left else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths))))
    return "\n".join(line.rstrip() for line in out)


def render_table(report: Report, lang: str) -> str:
    body = [[row_label(lang, g.row) if g.first else "", label(lang, g.line),
             *(text(c, g.line, lang, inline_stated=True) for c in g.cells)] for g in grid(report, with_stated=False)]
    table = text_table([label(lang, "corner"), "", *headers(report, lang, short=True)], body)
    parts = ["\n".join(preamble(report, lang)), table]
    parts += [heading + "\n" + "\n".join(f"  {s}" for s in sentences)
              for heading, sentences in closing_paragraphs(report, lang)]
    return "\n\n".join(parts) + "\n"


def render_plan(plan: Plan, lang: str) -> str:
    """The plan alone, in the library's layout, each total with what the plan states for it."""
    body = []
    rows = [(row, measure) for row in (*LIBRARY_KINDS, *(["other"] if plan.has_kind("other") else []), TOTAL)
            for measure in MEASURES] + [(DELIVERY, DELIVERY_MEASURE)]
    for row, measure in rows:
        cells = []
        for quarter, kazakh in COLUMNS:
            cell = None if row == DELIVERY and kazakh else Cell(quarter, kazakh, plan.planned(row, measure, quarter,
                                                                                              kazakh), 0)
            if cell and is_total(row, quarter):
                cell.stated = plan.stated(row, measure, quarter, kazakh)
            cells.append(stated_inline(lang, cell) if cell else "")
        body.append([label(lang, "pages" if measure == "pages" else row), *cells])
    header = [label(lang, "corner"), *(label(lang, "kazakh_short") if k else column_label(lang, plan.year, q, k)
                                       for q, k in COLUMNS)]
    parts = [label(lang, "plan_source").format(source=plan.source_name, at=_loaded(plan), by=plan.loaded_by),
             text_table(header, body, left=1)]
    if plan.elsewhere:
        parts.append("\n".join(f"{e.where}: {label(lang, 'what')[f'total.{e.measure}']}"
                               f"{label(lang, 'in_kazakh') if e.kazakh else ''} = {e.value}" for e in plan.elsewhere))
    problems = plan.inconsistencies()
    if problems:
        parts.append(label(lang, "inconsistencies_heading") + "\n"
                     + "\n".join(f"  {inconsistency_sentence(lang, i)}" for i in problems))
    return "\n\n".join(parts) + "\n"


def render_csv(report: Report, lang: str) -> str:
    buffer = io.StringIO()
    out = SafeWriter(buffer, lineterminator="\n")
    out.writerow(["row", "measure", label(lang, "corner"), "", *headers(report, lang)])
    for g in grid(report, with_stated=True):
        out.writerow([g.row.row, g.row.measure, row_label(lang, g.row), label(lang, g.line),
                      *(("" if v is None else v) for v in (number(c, g.line) for c in g.cells))])
    out.writerow([])
    out.writerow(["row", "", "", "", *label(lang, "summary_columns")])
    for row in report.summary_rows:
        every, kazakh = report.summary(row)
        out.writerow([row, "", label(lang, row), "", every.documents, f"{every.mb:.2f}", kazakh.documents,
                      f"{kazakh.mb:.2f}", every.pages, kazakh.pages])
    if report.libraries:      # each library's line: done, then planned, per figure
        out.writerow([])
        columns = label(lang, "libraries_columns")
        out.writerow(["library", "", columns[0], "", *(f"{c} ({label(lang, line)})" for c in columns[1:5]
                                                       for line in ("actual", "plan")), columns[5],
                      *(f"{columns[6]} ({label(lang, line)})" for line in ("actual", "plan"))])
        for row in report.libraries:
            cells = [row.documents, row.documents_kaz, row.pages, row.pages_kaz]
            out.writerow([row.library.code, "", row.library.name(lang), "",
                          *(v for c in cells for v in (c.actual, c.plan)), f"{row.mb:.2f}",
                          row.deliveries.actual, row.deliveries.plan])
    for heading, sentences in closing_paragraphs(report, lang):
        out.writerow([])
        out.writerow([heading])
        out.writerows([s] for s in sentences)
    return buffer.getvalue()


def render_json(report: Report, lang: str) -> str:
    return json.dumps(report.as_dict(lang), ensure_ascii=False, indent=2) + "\n"


# --- XLSX --------------------------------------------------------------------------------------

def render_xlsx(report: Report, lang: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    bold, wrap = Font(bold=True), Alignment(wrap_text=True, vertical="center")
    mark = PatternFill("solid", fgColor="%02X%02X%02X" % HIGHLIGHT)
    book = Workbook()
    sheet = book.active
    sheet.title = label(lang, "sheet_table")
    for line in preamble(report, lang):
        sheet.append([line])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([])
    sheet.append([label(lang, "corner"), "", *headers(report, lang)])
    header_row = sheet.max_row
    for cell in sheet[header_row]:
        cell.font, cell.alignment = bold, wrap
    for g in grid(report, with_stated=True):
        sheet.append([row_label(lang, g.row) if g.first else None, label(lang, g.line),
                      *(number(c, g.line) for c in g.cells)])
        for cell, source in zip(sheet[sheet.max_row][2:], g.cells):
            if g.line == "percent":
                cell.number_format = '0"%"'
            if source is not None and source.differs and g.line in ("plan", "stated"):
                cell.fill = mark
        if g.first:
            sheet.cell(sheet.max_row, 1).font = bold
    sheet.freeze_panes = sheet.cell(header_row + 1, 3)
    sheet.column_dimensions["A"].width, sheet.column_dimensions["B"].width = 30, 20
    for index in range(3, 3 + len(report.columns)):
        sheet.column_dimensions[sheet.cell(1, index).column_letter].width = 14
    for heading, sentences in closing_paragraphs(report, lang)[2:]:
        sheet.append([])
        sheet.append([heading])
        sheet.cell(sheet.max_row, 1).font = bold
        for s in sentences:
            sheet.append([s])
    _summary_sheet(book.create_sheet(label(lang, "sheet_summary")), report, lang, bold, wrap)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _summary_sheet(sheet, report: Report, lang: str, bold, wrap) -> None:
    paragraphs = closing_paragraphs(report, lang)
    sheet.append([paragraphs[0][0]])
    sheet["A1"].font = bold
    sheet.append(["", *label(lang, "summary_columns")])
    for cell in sheet[2]:
        cell.font, cell.alignment = bold, wrap
    for row in report.summary_rows:
        every, kazakh = report.summary(row)
        sheet.append([label(lang, row), every.documents, round(every.mb, 2), kazakh.documents, round(kazakh.mb, 2),
                      every.pages, kazakh.pages])
        for column in (3, 5):
            sheet.cell(sheet.max_row, column).number_format = "0.00"
    delivered = report.deliveries.cell(report.period)
    sheet.append([])
    sheet.append(["", label(lang, "plan"), label(lang, "actual"), label(lang, "percent")])
    sheet.append([label(lang, "electronic_delivery"), delivered.plan, delivered.actual, delivered.percent])
    sheet.cell(sheet.max_row, 4).number_format = '0"%"'
    for index, (heading, sentences) in enumerate(paragraphs):
        sheet.append([])
        if index:   # the summary's sentences go right under its table
            sheet.append([heading])
            sheet.cell(sheet.max_row, 1).font = bold
        for s in sentences:
            sheet.append([s])
    sheet.column_dimensions["A"].width = 30
    for letter in "BCDEFG":
        sheet.column_dimensions[letter].width = 16


# --- PDF ---------------------------------------------------------------------------------------

def find_font() -> tuple[str, str | None]:
    """A regular (and bold, if there is one) font that has every Kazakh letter."""
    from fontTools.ttLib import TTFont

    for regular, bold in FONTS:
        if Path(regular).exists():
            cmap = TTFont(regular, lazy=True).getBestCmap()
            if all(ord(letter) in cmap for letter in KAZAKH_LETTERS):
                return regular, bold if Path(bold).exists() else None
    raise MissingDependency("no font with every Kazakh letter for the PDF report; "
                            "install the Debian package fonts-paratype (or fonts-dejavu-core)")


def render_pdf(report: Report, lang: str) -> bytes:
    from fpdf import FPDF
    from fpdf.fonts import FontFace

    regular, bold = find_font()

    class Paper(FPDF):
        def footer(self):
            self.set_y(-10)
            self.set_font("body", size=8)
            self.cell(0, 5, f"{title(lang, report)} — {self.page_no()}/{{nb}}", align="C")

    pdf = Paper(orientation="L", unit="mm", format="A4")
    pdf.set_margins(10, 10, 10)
    pdf.set_auto_page_break(True, margin=14)
    pdf.add_font("body", "", regular)
    pdf.add_font("body", "B", bold or regular)
    pdf.set_title(title(lang, report))
    pdf.add_page()
    _pdf_preamble(pdf, report, lang)
    _pdf_table(pdf, report, lang, FontFace)
    if any(c is not None and c.differs for g in grid(report, with_stated=False) for c in g.cells):
        pdf.ln(1.5)
        pdf.set_font("body", size=8)
        pdf.set_fill_color(*HIGHLIGHT)
        pdf.cell(4, 3.5, "", fill=True)
        pdf.cell(0, 3.5, " " + label(lang, "highlight_note"), new_x="LMARGIN", new_y="NEXT")
        pdf.set_fill_color(255)
    pdf.add_page()
    _pdf_summary(pdf, report, lang, FontFace)
    return bytes(pdf.output())


def _pdf_preamble(pdf, report: Report, lang: str) -> None:
    first, *rest = preamble(report, lang)
    pdf.set_font("body", "B", 14)
    pdf.cell(0, 8, first, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("body", size=9)
    for line in rest:
        pdf.cell(0, 5, line, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)


def _pdf_table(pdf, report: Report, lang: str, FontFace) -> None:
    lines = grid(report, with_stated=True)
    data_width = min(int((pdf.epw - 70) / len(report.columns) * 10) / 10, 40)
    heading = FontFace(emphasis="BOLD", fill_color=HEADING)
    mark = FontFace(fill_color=HIGHLIGHT)
    pdf.set_font("body", size=8.5 if len(report.columns) > 2 else 10)
    widths = (36, 34, *[data_width] * len(report.columns))
    with pdf.table(col_widths=widths, width=sum(widths), align="LEFT", text_align="RIGHT", line_height=4.1,
                   headings_style=heading, padding=(0.3, 1.2)) as table:
        header = table.row()
        for value in [label(lang, "corner"), "", *headers(report, lang)]:
            header.cell(value, align="CENTER")
        for index, g in enumerate(lines):
            row = table.row()
            if g.first:
                span = sum(1 for other in lines[index:] if other.row is g.row)
                row.cell(row_label(lang, g.row), align="LEFT", rowspan=span, style=FontFace(emphasis="BOLD"))
            row.cell(label(lang, g.line), align="LEFT")
            for cell in g.cells:
                flagged = cell is not None and cell.differs and g.line in ("plan", "stated")
                row.cell(text(cell, g.line, lang, inline_stated=False), style=mark if flagged else None)


def _pdf_summary(pdf, report: Report, lang: str, FontFace) -> None:
    paragraphs = closing_paragraphs(report, lang)
    pdf.set_font("body", "B", 12)
    pdf.cell(0, 7, paragraphs[0][0], new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("body", size=10)
    with pdf.table(col_widths=(60, *[30] * 6), text_align="RIGHT", line_height=5.5, padding=(0.5, 1.5),
                   headings_style=FontFace(emphasis="BOLD", fill_color=HEADING), width=240, align="LEFT") as table:
        header = table.row()
        for value in ["", *label(lang, "summary_columns")]:
            header.cell(value, align="CENTER")
        for name in report.summary_rows:
            every, kazakh = report.summary(name)
            row = table.row()
            row.cell(label(lang, name), align="LEFT")
            for value in (every.documents, mb_text(lang, every.mb), kazakh.documents, mb_text(lang, kazakh.mb),
                          every.pages, kazakh.pages):
                row.cell(str(value))
    for index, (heading, sentences) in enumerate(paragraphs):
        pdf.ln(2)
        pdf.set_font("body", "B", 11)
        if index:   # the summary's sentences go right under its table
            pdf.cell(0, 6, heading, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("body", size=10)
        for s in sentences:
            pdf.multi_cell(0, 5, "• " + s, new_x="LMARGIN", new_y="NEXT")


def _loaded(plan: Plan) -> str:
    """When the plan was loaded, in the library's time (as the pages show it)."""
    return local_time(plan.loaded_at) if plan.loaded_at else ""
