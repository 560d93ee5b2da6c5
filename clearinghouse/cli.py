"""The `flask` commands: seed, import/export, index, users. Each exits non-zero with the reason on stderr."""

from __future__ import annotations

import logging
import sys
from contextlib import nullcontext
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from .accounts import service as accounts
from .errors import DomainError
from .practices import importing, queries
from .practices.interchange import FormatError, read_records, write_records

log = logging.getLogger(__name__)
SEED_DIR = Path(__file__).resolve().parent.parent / "seed" / "practices"


def fail(message: str) -> None:
    click.echo(f"Error: {message}", err=True)
    sys.exit(1)


class CleanGroup(AppGroup):
    """Commands that end with a one-line reason on stderr and exit 1, never a raw traceback (logged at DEBUG)."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit):
            raise
        except DomainError as exc:
            fail(exc.message)
        except Exception as exc:  # noqa: BLE001 — an operator needs the reason, not the stack
            log.debug("command failed", exc_info=True)
            fail(f"{type(exc).__name__}: {exc}")


def _progress(label: str, total: int):
    """A progress bar on a terminal; a quiet no-op bar elsewhere (click draws nothing when not a tty)."""
    return click.progressbar(length=total, label=label, file=sys.stderr, show_pos=True)


def run_import(records, *, publish: bool, dry_run: bool, skip_invalid: bool) -> importing.ImportReport:
    from .search import service as search

    # A large published import rebuilds the index once at the end instead of updating it per commit.
    bulk = publish and not dry_run and len(records) > current_app.config["BULK_IMPORT"]
    with _progress("Importing practices", len(records)) as bar, \
            (search.indexing_deferred() if bulk else nullcontext()):
        report = importing.import_practices(
            records, publish=publish, dry_run=dry_run, skip_invalid=skip_invalid, progress=bar.update
        )
    for error in report.errors:
        click.echo(str(error), err=True)
    if bulk and report.written:
        _rebuild_index()
    return report


def _rebuild_index() -> int:
    from .search import service as search

    with _progress("Indexing practices", queries.count_published()) as bar:
        return search.rebuild(progress=bar.update)


practices_cli = CleanGroup("practices", help="Import and export practices in the interchange format.")


@practices_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--publish", is_flag=True, help="Publish what is imported (otherwise records land as drafts).")
@click.option("--dry-run", is_flag=True, help="Only validate; write nothing.")
@click.option("--skip-invalid", is_flag=True, help="Import the valid records and report the invalid ones.")
def import_command(file: str, publish: bool, dry_run: bool, skip_invalid: bool) -> None:
    """Import FILE (.json array, .jsonl or .csv)."""
    try:
        records = read_records(file)
    except FormatError as exc:
        fail(str(exc))
    report = run_import(records, publish=publish, dry_run=dry_run, skip_invalid=skip_invalid)
    summary = f"{report.total} records: {report.valid} valid, {report.invalid_records} invalid."
    if dry_run:
        click.echo(f"Dry run, nothing written. {summary}")
    elif report.written:
        click.echo(
            f"{summary} {report.created} created, {report.updated} updated, {report.unchanged} unchanged"
            f"{f', {report.published} published' if publish else ' (as drafts)'}."
        )
    if report.errors and not (skip_invalid and not dry_run):
        fail(f"{report.invalid_records} invalid record(s); nothing was written." if not dry_run
             else f"{report.invalid_records} invalid record(s).")


@practices_cli.command("export")
@click.argument("file", type=click.Path(dir_okay=False, writable=True))
def export_command(file: str) -> None:
    """Write every published practice to FILE (.json, .jsonl or .csv)."""
    try:
        count = write_records(file, queries.export_records())
    except (FormatError, OSError) as exc:
        fail(str(exc))
    click.echo(f"Exported {count} published practices to {file}.")


def seed_database() -> importing.ImportReport | None:
    """Load seed/ when no practice exists yet; publish it. Returns None when there was nothing to do."""
    if queries.count_published() or queries.has_any_practice():
        return None
    records = []
    for path in sorted(SEED_DIR.glob("*.json")):
        records.extend(read_records(path))
    for position, record in enumerate(records, start=1):
        record.position = position
    return run_import(records, publish=True, dry_run=False, skip_invalid=False)


mail_cli = CleanGroup("mail", help="The mail outbox.")


@mail_cli.command("send")
def mail_send() -> None:
    """Send the queued messages that are due (safe to run from cron as often as you like)."""
    from .mail import deliver_pending

    sent, failed = deliver_pending()
    click.echo(f"Sent {sent} message(s); {failed} kept for a later try.")
    if failed:
        fail(f"{failed} message(s) could not be sent now; they stay queued and are retried.")


alerts_cli = CleanGroup("alerts", help="Saved-search and collection alerts.")


@alerts_cli.command("send")
def alerts_send() -> None:
    """Mail the digests that are due, each new practice once per user (safe to run from cron as often as you like)."""
    from .alerts import service as alerts

    site = nullcontext() if current_app.config.get("SERVER_NAME") else \
        current_app.test_request_context(base_url=current_app.config["SITE_URL"])  # for the links in the mail
    with site:
        try:
            report = alerts.send_due(progress=click.echo)
        except alerts.LockHeld as exc:
            click.echo(f"Skipped: {exc}.", err=True)
            return
    click.echo(f"{report.due} digest(s) due: mailed {report.mailed} user(s), listing {report.practices} "
               f"practice(s); {report.due - report.mailed} had nothing new.")


def register(app: Flask) -> None:
    app.cli.add_command(alerts_cli)
    app.cli.add_command(mail_cli)
    app.cli.add_command(practices_cli)
    app.cli.add_command(index_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(usage_cli)

    @app.cli.command("seed")
    def seed_command() -> None:
        """Load the demo practices in seed/ once (does nothing if the database has practices)."""
        report = seed_database()
        if report is None:
            click.echo("The database already has practices; seed left alone.")
        elif report.errors:
            fail(f"the seed content has {report.invalid_records} invalid record(s); nothing was loaded.")
        else:
            click.echo(f"Seeded {report.created} published practices.")


index_cli = CleanGroup("index", help="Build and check the search index.")


@index_cli.command("rebuild")
@click.option("--all-nodes", is_flag=True, help="Also have every other node rebuild its own index (through the "
              "search change log) instead of only this one.")
def index_rebuild(all_nodes: bool) -> None:
    """Build a fresh index from the database in a new folder, then switch to it atomically."""
    if all_nodes:
        from .extensions import db
        from .search import changes

        changes.record_rebuild()
        db.session.commit()
    click.echo(f"Indexed {_rebuild_index()} published practices.")


@index_cli.command("ensure")
def index_ensure() -> None:
    """Build the index only when there is none (used by `make run`)."""
    from .search import service as search

    if search.index_exists():
        click.echo("The search index exists.")
        return
    click.echo(f"Built the search index: {_rebuild_index()} published practices.")


@index_cli.command("check")
@click.option("--repair", is_flag=True, help="Fix what is missing, stale or extra.")
def index_check(repair: bool) -> None:
    """Compare the index with the database; exit 0 only when they agree."""
    from .search import service as search

    report = search.check()
    for label, slugs in (("missing", report.missing), ("stale", report.stale), ("extra", report.extra)):
        for slug in slugs:
            click.echo(f"{label}: {slug}")
    if report.ok:
        click.echo("The index agrees with the database.")
        return
    if repair:
        search.repair(report)
        after = search.check()
        if after.ok:
            click.echo("Repaired: the index now agrees with the database.")
            return
        fail(f"still out of step after repair: {len(after.missing)} missing, {len(after.stale)} stale, "
             f"{len(after.extra)} extra")
    fail(f"{len(report.missing)} missing, {len(report.stale)} stale, {len(report.extra)} extra")


users_cli = CleanGroup("users", help="Create accounts, grant roles and make API tokens.")


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--role", "roles", multiple=True, required=True, help="contributor, reviewer, facilitator or admin; "
              "repeat for several.")
@click.option("--lea", "lea_name", help="The LEA's name, as the site knows it.")
@click.option("--password", help="At least 12 characters; one is generated and printed if omitted.")
@click.option("--name", help="The person's name (defaults to the email's local part).")
def users_create(email: str, roles: tuple[str, ...], lea_name: str | None, password: str | None,
                 name: str | None) -> None:
    """Create a confirmed account with the given roles (e.g. the first admin)."""
    try:
        user, generated = accounts.create_user(email, list(roles), lea_name, password, name)
    except DomainError as exc:
        fail(exc.message if not exc.fields or exc.message.endswith(".") else f"{exc.message} {exc.fields}")
    click.echo(f"Created {user.email} with the role(s) {', '.join(sorted(user.roles))}.")
    if generated:
        click.echo(f"Password: {generated}")


@users_cli.command("token")
@click.option("--email", required=True)
@click.option("--name", required=True, help="What the token is for.")
def users_token(email: str, name: str) -> None:
    """Print a new personal access token for the API (shown this once)."""
    try:
        click.echo(accounts.token_for(email, name))
    except DomainError as exc:
        fail(exc.message)


@users_cli.command("demo")
def users_demo() -> None:
    """Create one demo account per role and print the logins (development only; refuses elsewhere)."""
    try:
        logins = accounts.demo_accounts()
    except DomainError as exc:
        fail(exc.message)
    click.echo("Demo accounts (development only):")
    for login in logins:
        click.echo(f"  {login.role:<12} {login.email:<32} {login.password}"
                   + (f"  ({login.lea})" if login.lea else ""))


usage_cli = CleanGroup("usage", help="Usage counts (views and downloads).")


@usage_cli.command("discard-salts")
def usage_discard_salts() -> None:
    """Delete the visitor-hash salts of the days that are over (counting does it too; run daily from cron)."""
    from .usage import service as usage

    click.echo(f"Deleted {usage.discard_old_salts()} old salt(s).")
