"""The `planner` command group: database, people, tokens, demo data, serving and the scheduler.

Each command is a transaction boundary: it commits when it succeeds and rolls back when it fails.
"""

from __future__ import annotations

import os
import sys

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext
from sqlalchemy.orm import Session, sessionmaker

from planner import create_app
from planner.accounts.models import Role
from planner.db import transaction
from planner.errors import PlannerError
from planner.web import runtime


def _app(*_args: object) -> Flask:
    return create_app()


@click.group(cls=FlaskGroup, create_app=_app, add_default_commands=False, add_version_option=False)
def cli() -> None:
    """Contentfabriek: the editorial planner.

    `planner check FILE...` runs the brand checker (see `planner check --help`).
    """


def _factory() -> sessionmaker[Session]:
    return runtime.session_factory()


def _url() -> str:
    return str(runtime.settings().database_url)


@cli.group()
def db() -> None:
    """Database schema migrations."""


@db.command("upgrade")
@click.option("--revision", default="head", show_default=True)
@with_appcontext
def db_upgrade(revision: str) -> None:
    """Bring the schema up to date."""
    from planner import migrate

    migrate.upgrade(_url(), revision)
    click.echo(f"Database at {revision}.")


@db.command("downgrade")
@click.argument("revision")
@with_appcontext
def db_downgrade(revision: str) -> None:
    """Step the schema back to REVISION (e.g. -1 or base)."""
    from planner import migrate

    migrate.downgrade(_url(), revision)
    click.echo(f"Database at {revision}.")


@db.command("check")
@with_appcontext
def db_check() -> None:
    """Fail if the models and the migrations disagree."""
    from planner import migrate

    migrate.check(_url())
    click.echo("Models and migrations agree.")


@cli.group()
def user() -> None:
    """People and their roles."""


@user.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--password", default=None, help="Asked for when not given.")
@with_appcontext
def user_create(email: str, name: str, role: str, password: str | None) -> None:
    """Create an account."""
    from planner.accounts.services import create_user

    if password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        with transaction(_factory()) as session:
            created = create_user(
                session, None, email=email, name=name, role=Role(role), password=password
            )
            click.echo(f"Created {created.role.value} {created.email} (id {created.id}).")
    except PlannerError as exc:
        raise click.ClickException(exc.message) from exc


@cli.group()
def token() -> None:
    """Personal API tokens."""


@token.command("create")
@click.option("--email", required=True)
@click.option("--name", default="Command line", show_default=True)
@with_appcontext
def token_create(email: str, name: str) -> None:
    """Print a new API token for the user with this e-mail address."""
    from planner.accounts.services import create_token, find_user_by_email

    with transaction(_factory()) as session:
        owner = find_user_by_email(session, email)
        if owner is None:
            raise click.ClickException(f"No user with e-mail address {email}.")
        click.echo(create_token(session, None, owner, name))


@cli.group()
def demo() -> None:
    """The demo organisation, Gemeente Zuiderhaven."""


@demo.command("seed")
@click.option(
    "--if-empty",
    is_flag=True,
    help="Add nothing when accounts exist already; still list the demo accounts.",
)
@with_appcontext
def demo_seed(if_empty: bool) -> None:
    """Create the demo organisation with its people, stories and plan, and list its accounts.

    `make run` calls this with --if-empty on every start, so the accounts a newcomer signs in
    with are on screen each time, not only after the first seed.
    """
    from planner.accounts.services import count_users
    from planner.demo.seed import seed_demo

    with transaction(_factory()) as session:
        seeded = not (if_empty and count_users(session) > 0)
        if seeded:
            seed_demo(session, runtime.now(), runtime.storage(), runtime.settings().base_url)
        accounts = _demo_accounts(session)
    if not accounts:
        return  # not the demo organisation's database: nothing to sign in with here
    state = "is ready" if seeded else "is already there"
    click.echo(f"Demo organisation Gemeente Zuiderhaven {state}. Sign in with:")
    for role, email, password in accounts:
        shown = f"password: {password}" if password else "(password changed since the seed)"
        click.echo(f"  {role:<12} {email:<32} {shown}")


def _demo_accounts(session: Session) -> list[tuple[str, str, str | None]]:
    """(role, e-mail, demo password or None when it no longer works) per active demo account."""
    from planner.accounts.passwords import verify_password
    from planner.accounts.services import find_user_by_email
    from planner.demo.seed import DEMO_PEOPLE

    accounts: list[tuple[str, str, str | None]] = []
    for person in DEMO_PEOPLE:
        user = find_user_by_email(session, person.email)
        if user is None or not user.is_active:
            continue
        works = verify_password(user.password_hash, person.password)
        accounts.append((user.role.value, user.email, person.password if works else None))
    return accounts


@cli.command("scheduler")
@click.option("--once", is_flag=True, help="Run one tick and exit.")
@with_appcontext
def scheduler(once: bool) -> None:
    """Run the scheduler clock (one per installation is enough; more are safe)."""
    from planner.jobs.runner import run_blocking, run_once

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if once:
        run_once(app)
        return
    run_blocking(app)


@cli.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True)
@click.option("--reload/--no-reload", default=False, show_default=True)
@click.option("--scheduler/--no-scheduler", "with_scheduler", default=True, show_default=True)
def serve(host: str, port: int, reload: bool, with_scheduler: bool) -> None:
    """Serve the app for one person or a small team, with the scheduler in the same process."""
    if with_scheduler:
        os.environ["PLANNER_EMBEDDED_SCHEDULER"] = "1"
    if reload:
        # The reloader's parent process only watches files; runner.should_start_embedded reads
        # this to keep the clock out of it, so the scheduler never runs twice.
        os.environ["PLANNER_USE_RELOADER"] = "1"
    app = create_app()
    click.echo(f"Contentfabriek at http://{host}:{port}/")
    # Werkzeug's server directly: Flask ignores app.run() inside its own CLI.
    from werkzeug.serving import run_simple

    run_simple(host, port, app, use_reloader=reload, use_debugger=reload, threaded=True)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(cli())
