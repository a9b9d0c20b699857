"""`olke requests …` (electronic document delivery) and `olke staff …` (the staff app's users)."""
from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path

import click

from archive.grammar import counted
from archive.vocabulary import ACCESS, DESCRIBED_LANGUAGES, KINDS, STATUSES
from cli.context import open_archive


def _context(ctx):
    from archive.delivery.settings import load_settings, secret_key

    archive = open_archive(ctx)
    return archive, load_settings(archive.home), secret_key(archive.home)


def _send(archive, settings, letters) -> None:
    if not letters:
        return
    sent, errors = archive.delivery.send_pending(settings, letters)
    for error in errors:
        click.echo(f"olke: warning: {error}", err=True)


def _emit(data, output: Path | None) -> None:
    if output:
        output.write_text(data, encoding="utf-8")
        click.echo(f"Written to {output}")
    else:
        click.echo(data, nl=not data.endswith("\n"))


@click.group("requests")
def requests():
    """Electronic document delivery: requests for copies, their fulfilment, privacy and figures.

    \b
    Example:
      olke requests list --overdue
      olke requests fulfil 26-7KQ3-M9PX --pages 3-5
      olke requests report --year 2026
    """


@requests.command("list")
@click.option("--status", "statuses", multiple=True, type=click.Choice(STATUSES),
              help="Only these statuses (repeat); default: the open ones (new, in_progress, waiting).")
@click.option("--overdue", is_flag=True, help="Only open requests past their needed-by date.")
@click.option("--older-than", type=click.IntRange(0), help="Only requests received at least this many days ago.")
@click.option("--library", metavar="CODE", help="Only this library's requests (see `olke library list`).")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def list_cmd(ctx, statuses, overdue, older_than, library, as_json):
    """List requests, oldest first.

    \b
    Example:
      olke requests list --status new --older-than 3
      olke requests list --library pavlodar-obl
    """
    from archive.vocabulary import LABELS, OPEN

    archive = open_archive(ctx)
    desk = archive.delivery.scoped(archive.libraries.resolve(library)) if library else archive.delivery
    found = desk.queue(tuple(statuses) or OPEN, overdue, older_than)
    if as_json:
        click.echo(json.dumps([r.as_dict() for r in found], ensure_ascii=False, indent=2))
        return
    if not found:
        click.echo("No requests match.")
        return
    for r in found:
        flag = " OVERDUE" if r.overdue() else ""
        click.echo(f"{r.code}  {r.created_at[:10]}  {LABELS[r.status]:<22} {r.assigned_to or '-':<12} "
                   f"{r.title[:60]}{flag}")


@requests.command("show")
@click.argument("code")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def show_cmd(ctx, code, as_json):
    """Show a request: what was asked, by whom, its history, notes and letters.

    \b
    Example:
      olke requests show 26-7KQ3-M9PX
    """
    from archive.vocabulary import LABELS

    desk = open_archive(ctx).delivery
    r = desk.get(code)
    history, notes, letters = desk.history(r.id), desk.notes(r.id), desk.letters(r.id)
    if as_json:
        click.echo(json.dumps({"request": r.as_dict(), "history": history, "notes": notes, "letters": letters},
                              ensure_ascii=False, indent=2))
        return
    click.echo(f"{r.code} (№ {r.id}): {LABELS[r.status]}" + (f", {r.assigned_to}" if r.assigned_to else ""))
    for label, value in (("requester", f"{r.name or '(anonymised)'} <{r.email or '-'}> {r.phone or ''}"),
                         ("category", r.category), ("wants", r.title), ("document", r.document_id),
                         ("pages", r.pages or "all"), ("purpose", r.purpose), ("needed by", r.needed_by),
                         ("rules", r.exceeds_rules), ("received", r.created_at), ("delivered", r.delivered_at)):
        if value:
            click.echo(f"{label:>10}: {value}")
    for event in history:
        click.echo(f"{'history':>10}: {event['at']} {event['action']} by {event['user']}")
    for note in notes:
        click.echo(f"{note['kind']:>10}: {note['at']} {note['author']}: {note['body'] or ''}")
    for letter in letters:
        click.echo(f"{'letter':>10}: {letter['letter']} {'sent ' + letter['sent_at'] if letter['sent_at'] else 'NOT SENT'}")


@requests.command("fulfil")
@click.argument("code")
@click.option("--pages", help="Pages of the document to copy, e.g. 3-5,8; default: those asked for.")
@click.option("--document", "document_id", type=int, help="The archived document to copy from.")
@click.option("--scan", "scans", multiple=True, type=click.Path(exists=True, path_type=Path),
              help="A fresh scan to archive first and copy from (repeat for page images).")
@click.option("--title", help="Title of the fresh scan; default: the request's citation.")
@click.option("--kind", type=click.Choice(KINDS), help="Kind of the fresh scan.")
@click.option("--language", type=click.Choice(DESCRIBED_LANGUAGES), default="auto", show_default=True)
@click.option("--access", type=click.Choice(ACCESS), default="on_request", show_default=True)
@click.pass_context
def fulfil_cmd(ctx, code, pages, document_id, scans, title, kind, language, access):
    """Copy the pages, stamp them for the requester and send the download link.

    \b
    Examples:
      olke requests fulfil 26-7KQ3-M9PX --pages 3-5
      olke requests fulfil 26-7KQ3-M9PX --scan scan.pdf --kind journal_article --language kaz
    """
    from archive.catalog import current_user
    from archive.metadata import Description

    archive, settings, secret = _context(ctx)
    if scans:
        request = archive.delivery.get(code)
        description = Description.from_mapping({
            "kind": kind or "other", "title": title or request.title, "language": language, "access": access,
            "authors": request.cite_author, "source": request.cite_source, "issue": request.cite_issue,
            "source_pages": request.cite_pages})
        document_id = archive.add_scan(list(scans), description, current_user())
        click.echo(f"Archived the scan as document {document_id}.")
    done = archive.delivery.fulfil(code, current_user(), settings, secret, pages, document_id)
    click.echo(f"Delivered {done.request.code}: {done.request.pages or 'all'} pages"
               f"{' (extract reused)' if done.reused_extract else ''}; link {done.url}")
    _send(archive, settings, done.letters)


@requests.command("expire")
@click.option("--dry-run", is_flag=True, help="Only list what would expire.")
@click.pass_context
def expire_cmd(ctx, dry_run):
    """Close open requests past their needed-by date or older than expire_days; run it daily.

    Also deletes the files of stamped copies whose links are used up or expired.

    \b
    Example (cron, every night):
      15 2 * * *  olke --home /srv/olke requests expire
    """
    archive, settings, _ = _context(ctx)
    found, letters = archive.delivery.expire(settings, date.today(), dry_run)
    for r in found:
        click.echo(f"{'would expire' if dry_run else 'expired'}: {r.code} (received {r.created_at[:10]}"
                   f"{', needed by ' + r.needed_by if r.needed_by else ''})")
    if not dry_run:
        removed = archive.delivery.remove_used_up()
        click.echo(f"{counted(len(found), 'request')} expired; {counted(removed, 'used-up copy', 'used-up copies')} deleted.")
        _send(archive, settings, letters)


@requests.command("purge")
@click.option("--email", help="Erase this person's data now (their request), cancelling open requests.")
@click.option("--dry-run", is_flag=True, help="Only list whose data would be blanked.")
@click.pass_context
def purge_cmd(ctx, email, dry_run):
    """Blank requesters' personal data of requests closed more than keep_days ago (figures stay).

    \b
    Examples:
      olke requests purge
      olke requests purge --email reader@example.kz
    """
    from archive.catalog import current_user

    archive, settings, _ = _context(ctx)
    if email:
        found = archive.delivery.erase_person(email, current_user(), dry_run)
    else:
        found = archive.delivery.purge(settings.keep_days, current_user(), dry_run=dry_run)
    for r in found:
        click.echo(f"{'would blank' if dry_run else 'blanked'}: {r.code}")
    were = ("would be" if dry_run else "was" if len(found) == 1 else "were")
    click.echo(f"{counted(len(found), 'request')} {were} anonymised.")


@requests.command("export-person")
@click.argument("email")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), help="Write the JSON to this file.")
@click.pass_context
def export_person_cmd(ctx, email, output):
    """Everything held about one requester (by e-mail), as JSON: requests, history, notes, letters.

    \b
    Example:
      olke requests export-person reader@example.kz --output reader.json
    """
    data = open_archive(ctx).delivery.export_person(email)
    if not data["requests"]:
        click.echo(f"olke: nothing is held about {email}", err=True)
    _emit(json.dumps(data, ensure_ascii=False, indent=2) + "\n", output)


@requests.command("report")
@click.option("--year", type=int, default=lambda: date.today().year, show_default="this year")
@click.option("--format", "fmt", type=click.Choice(("table", "csv", "json")), default="table", show_default=True)
@click.option("--library", metavar="CODE",
              help="One library's figures; default: the whole system, with each library's year when there are several.")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), help="Write to this file.")
@click.pass_context
def report_cmd(ctx, year, fmt, library, output):
    """Figures per quarter: received, delivered against plan, refused by reason, median working days.

    \b
    Example:
      olke requests report --year 2026 --format csv --output deliveries-2026.csv
      olke requests report --year 2026 --library pavlodar-obl
    """
    _emit(open_archive(ctx).plans.delivery_report(year, fmt, library), output)


@requests.command("pass-on")
@click.argument("code")
@click.option("--to", "to_library", required=True, metavar="CODE", help="The library of the system to pass it to.")
@click.option("--note", help="A note for the requester.")
@click.pass_context
def pass_on_cmd(ctx, code, to_library, note):
    """Pass a request on to another library of the system (the one holding what is asked); the requester is told.

    \b
    Example:
      olke requests pass-on 26-7KQ3-M9PX --to ekibastuz-cbs
    """
    from archive.catalog import current_user

    archive, settings, _ = _context(ctx)
    letters = archive.delivery.pass_on(code, current_user(), to_library, note, settings)
    click.echo(f"Request {code} is passed on to library '{to_library}'.")
    _send(archive, settings, letters)


@requests.command("send-outside")
@click.argument("code")
@click.option("--to", "to", required=True, help="The library outside the system, e.g. the national library.")
@click.option("--note", help="A note for the requester.")
@click.pass_context
def send_outside_cmd(ctx, code, to, note):
    """Record that a request was sent outside the system (the national or a regional library); the requester is told.

    \b
    Example:
      olke requests send-outside 26-7KQ3-M9PX --to "Қазақстан Республикасының Ұлттық кітапханасы"
    """
    from archive.catalog import current_user

    archive, settings, _ = _context(ctx)
    letters = archive.delivery.send_outside(code, current_user(), to, note, settings)
    click.echo(f"Request {code} is recorded as sent to {to}.")
    _send(archive, settings, letters)


@requests.command("archive")
@click.option("--search", "text", default="", help="Text in the code, name, e-mail or title.")
@click.option("--all-statuses", is_flag=True, help="Search every request, not only fulfilled ones.")
@click.option("--format", "fmt", type=click.Choice(("table", "csv")), default="table", show_default=True)
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), help="Write to this file.")
@click.pass_context
def archive_cmd(ctx, text, all_statuses, fmt, output):
    """The archive of fulfilled requests: search it, export it as CSV.

    \b
    Example:
      olke requests archive --search Абай --format csv --output fulfilled.csv
    """
    from archive.delivery import model

    found = open_archive(ctx).delivery.search(text, () if all_statuses else ("delivered",))
    if fmt == "csv":
        _emit(model.as_csv(found), output)
        return
    lines = [f"{r.code}  {(r.delivered_at or r.created_at)[:10]}  {r.name or '(anonymised)':<24} {r.title[:60]}"
             for r in found]
    _emit("\n".join(lines) + "\n" if lines else "No requests match.\n", output)


@requests.command("send-mail")
@click.pass_context
def send_mail_cmd(ctx):
    """Send the letters the mail server did not take before.

    \b
    Example:
      olke requests send-mail
    """
    archive, settings, _ = _context(ctx)
    sent, errors = archive.delivery.send_pending(settings)
    click.echo(f"{counted(sent, 'letter')} sent.")
    if errors:
        from archive.errors import MailFailed

        raise MailFailed(f"{counted(len(errors), 'letter')} {'was' if len(errors) == 1 else 'were'} not sent: {errors[0]}")


@requests.command("settings")
@click.pass_context
def settings_cmd(ctx):
    """Show the delivery settings in force and the file they come from (the password hidden).

    \b
    Example:
      olke requests settings
    """
    from dataclasses import asdict

    from archive.delivery.settings import settings_path

    archive, settings, _ = _context(ctx)
    values = asdict(settings)
    if values["mail"]["password"]:
        values["mail"]["password"] = "********"
    click.echo(f"# {settings.source or f'defaults ({settings_path(archive.home)} does not exist)'}")
    for key, value in values.items():
        if isinstance(value, dict):
            for inner, item in value.items():
                click.echo(f"{key}.{inner} = {item!r}")
        elif key != "source":
            click.echo(f"{key} = {value!r}")


@click.group("staff")
def staff():
    """Staff users of the staff app (`olke serve-staff`).

    \b
    Example:
      olke staff add librarian --full-name "Өлкетану бөлімі"
    """


def _password(name: str) -> str:
    """Asked twice at a terminal; read from the first line of standard input when it is piped
    (``printf '%s\\n' "$PASSWORD" | olke staff add …``), without a warning about echoing."""
    if not sys.stdin.isatty():
        line = sys.stdin.readline()
        if not line:
            raise click.UsageError("no password on standard input; give it on the first line")
        return line.rstrip("\r\n")
    return click.prompt(f"Password for {name}", hide_input=True, confirmation_prompt=True)


@staff.command("add")
@click.argument("name")
@click.option("--full-name", help="The name shown in the staff app.")
@click.option("--library", metavar="CODE",
              help="The library they work at: they see its requests only. Without it: all libraries' (administrator).")
@click.pass_context
def staff_add(ctx, name, full_name, library):
    """Add a staff user; asks for the password (at least 10 characters).

    \b
    Example:
      olke staff add librarian --full-name "Өлкетану бөлімі"
      olke staff add ekibastuz.edd --library ekibastuz-cbs
    """
    from archive.delivery.staff import check_name

    archive = open_archive(ctx)
    users = archive.staff
    check_name(name)
    if library is not None:
        archive.libraries.resolve(library)      # an unknown library fails before the password is asked
    users.add(name, _password(name), full_name, library)
    click.echo(f"Staff user '{name}' added. They sign in at the staff app (olke serve-staff).")


@staff.command("set-library")
@click.argument("name")
@click.argument("library", required=False)
@click.option("--all", "everything", is_flag=True, help="Make them the system's administrator: all libraries' requests.")
@click.pass_context
def staff_set_library(ctx, name, library, everything):
    """Set the library a staff user works at (they see its requests only), or --all for the administrator.

    \b
    Example:
      olke staff set-library librarian pavlodar-obl
    """
    if bool(library) == everything:
        raise click.UsageError("give a library's code, or --all")
    open_archive(ctx).staff.set_library(name, None if everything else library)
    click.echo(f"'{name}' now sees " + ("every library's requests." if everything else f"library '{library}''s requests."))


@staff.command("passwd")
@click.argument("name")
@click.pass_context
def staff_passwd(ctx, name):
    """Set a staff user's password (their open sessions end).

    \b
    Example:
      olke staff passwd librarian
    """
    users = open_archive(ctx).staff
    users.get(name)          # an unknown name fails before the password is asked
    users.set_password(name, _password(name))
    click.echo(f"Password of '{name}' changed.")


@staff.command("list")
@click.pass_context
def staff_list(ctx):
    """List staff users.

    \b
    Example:
      olke staff list
    """
    archive = open_archive(ctx)
    found, several = archive.staff.all(), archive.libraries.several()
    if not found:
        click.echo("No staff users yet. Add one with: olke staff add NAME")
    for u in found:
        where = f"  library {u['library'] or 'all'}" if several else ""
        click.echo(f"{u['name']:<20} {'active' if u['active'] else 'disabled':<9} {u['full_name'] or '':<30} "
                   f"last login {u['last_login_at'] or 'never'}{where}")


@staff.command("disable")
@click.argument("name")
@click.pass_context
def staff_disable(ctx, name):
    """Disable a staff user: they can no longer sign in, and their sessions end.

    \b
    Example:
      olke staff disable librarian
    """
    open_archive(ctx).staff.set_active(name, False)
    click.echo(f"Staff user '{name}' disabled.")


@staff.command("enable")
@click.argument("name")
@click.pass_context
def staff_enable(ctx, name):
    """Enable a disabled staff user again.

    \b
    Example:
      olke staff enable librarian
    """
    open_archive(ctx).staff.set_active(name, True)
    click.echo(f"Staff user '{name}' enabled.")


@click.group("mail")
def mail():
    """The mail server that delivery letters go through ([mail] in delivery.toml).

    \b
    Example:
      olke mail test bibliograph@library.example.kz
    """


@mail.command("test")
@click.argument("address")
@click.pass_context
def mail_test(ctx, address):
    """Send a test letter to ADDRESS and show what the mail server answered at each step.

    \b
    Example:
      olke mail test bibliograph@library.example.kz
    """
    from archive.delivery import outbox
    from archive.delivery.intake import valid_email
    from archive.errors import MailFailed

    if not valid_email(address):
        raise click.UsageError(f"'{address}' does not look like an e-mail address")
    _, settings, _ = _context(ctx)
    click.echo(f"Mail server {settings.mail.host or '(none set)'}:{settings.mail.port}, "
               f"encryption {settings.mail.tls}, sender {settings.mail.sender} (from {settings.source or 'defaults'})")
    try:
        answers = outbox.test_letter(settings.mail, address)
    except MailFailed as error:
        for line in str(error.message).split("; "):
            click.echo(f"  {line}")
        raise click.ClickException("the test letter was not sent; fix [mail] in delivery.toml and try again")
    for line in answers:
        click.echo(f"  {line}")
    click.echo(f"The server took the test letter for {address}; check that it arrives (and not in spam).")
