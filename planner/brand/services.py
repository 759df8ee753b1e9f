"""Use cases for the organisation's brand configuration: the term list, imported style packages,
acknowledged warnings, and the active configuration every check runs against.

The active configuration is compiled once per process and kept until the stamp in
`brand_settings` changes, so the live check in the editor costs one primary-key read.
"""

from __future__ import annotations

import re
import secrets
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from planner.accounts.models import Role, User
from planner.accounts.permissions import require_role
from planner.audit.services import record_event
from planner.brand.engine import ConfigError, LoadedConfig, load_config
from planner.brand.engine.kinds import parse_rule
from planner.brand.importing import (
    PackageFiles,
    PackageRefusedError,
    PackageReport,
    TermSpec,
    assemble_config,
    judge_package,
    package_styles,
    read_zip,
    term_rule,
)
from planner.brand.models import BrandSettings, StylePackage, Term
from planner.brand.starter import starter_config_path
from planner.errors import NotFoundError, ValidationError

MAX_VARIANTS = 30

# --- the active configuration ---------------------------------------------------------------

_LOCK = threading.Lock()
_STARTER: dict[str, LoadedConfig] = {}
#: (database URL, language) -> (stamp, configuration)
_ACTIVE: dict[tuple[str, str], tuple[str, LoadedConfig]] = {}


def starter_config(language: str) -> LoadedConfig:
    """The shipped style for the language; parsed once for the life of the process."""
    config = _STARTER.get(language)
    if config is None:
        config = _STARTER[language] = load_config(starter_config_path(language))
    return config


def config_stamp(session: Session) -> str | None:
    settings = session.get(BrandSettings, 1)
    return settings.stamp if settings is not None else None


def _touch(session: Session, now: datetime) -> None:
    settings = session.get(BrandSettings, 1)
    if settings is None:
        settings = BrandSettings(id=1, stamp="", updated_at=now)
        session.add(settings)
    settings.stamp = secrets.token_hex(16)
    settings.updated_at = now
    session.flush()


def _term_specs(terms: Sequence[Term]) -> list[TermSpec]:
    return [TermSpec(t.term, t.preferred, tuple(t.forbidden)) for t in terms]


def active_config(session: Session, language: str) -> LoadedConfig:
    """Starter style + active packages + term list, rebuilt only when the stamp changed."""
    stamp = config_stamp(session)
    if stamp is None:
        return starter_config(language)
    key = (str(session.get_bind().engine.url), language)
    cached = _ACTIVE.get(key)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    with _LOCK:
        cached = _ACTIVE.get(key)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        packages = [
            PackageFiles(p.files, tuple(p.inactive_rules))
            for p in session.scalars(
                select(StylePackage)
                .where(StylePackage.is_active.is_(True))
                .order_by(StylePackage.id)
            )
        ]
        terms = _term_specs(list(session.scalars(select(Term).order_by(Term.term))))
        try:
            config = assemble_config(starter_config_path(language), packages, terms, language)
        except ConfigError:
            # Imports and term edits are validated rule by rule, so this should not happen; if it
            # does, checking against the starter style beats checking nothing.
            config = starter_config(language)
        _ACTIVE[key] = (stamp, config)
        return config


# --- the term list --------------------------------------------------------------------------


def list_terms(session: Session, actor: User | None) -> list[Term]:
    require_role(actor, Role.EDITOR)
    return list(session.scalars(select(Term).order_by(func.lower(Term.term))))


def get_term(session: Session, actor: User | None, term_id: int) -> Term:
    require_role(actor, Role.EDITOR)
    term = session.get(Term, term_id)
    if term is None:
        raise NotFoundError("This term does not exist.")
    return term


def parse_variants(text: str) -> list[str]:
    """Forbidden variants as typed: one per line or separated by commas."""
    return [v.strip() for v in re.split(r"[,\n]", text or "") if v.strip()]


def _clean_term(
    session: Session,
    *,
    term: str,
    preferred: str,
    forbidden: Sequence[str],
    note: str | None,
    existing: Term | None,
) -> tuple[str, str, list[str], str | None]:
    clean = " ".join(term.split())
    if not clean:
        raise ValidationError("Enter the term.", field="term")
    if len(clean) > 100:
        raise ValidationError("The term is too long (100 characters at most).", field="term")
    taken = session.scalar(select(Term).where(func.lower(Term.term) == clean.lower()))
    if taken is not None and taken is not existing:
        raise ValidationError("This term is already on the list.", field="term")
    form = " ".join(preferred.split()) or clean
    if len(form) > 100:
        raise ValidationError(
            "The preferred form is too long (100 characters at most).", field="preferred"
        )
    variants: list[str] = []
    seen: set[str] = set()
    for variant in forbidden:
        v = " ".join(variant.split())
        if not v:
            continue
        if len(v) > 100:
            raise ValidationError(
                "A forbidden variant is too long (100 characters at most).", field="forbidden"
            )
        if v.lower() == form.lower():
            raise ValidationError(
                "The preferred form cannot also be a forbidden variant.", field="forbidden"
            )
        if v.lower() in seen:
            raise ValidationError("A forbidden variant is listed twice.", field="forbidden")
        seen.add(v.lower())
        variants.append(v)
    if len(variants) > MAX_VARIANTS:
        raise ValidationError("At most 30 forbidden variants per term.", field="forbidden")
    others = session.scalars(select(Term).where(Term.id != (existing.id if existing else -1)))
    for other in others:
        clash = seen & {f.lower() for f in other.forbidden}
        if clash:
            raise ValidationError(
                "A forbidden variant is already listed under another term.", field="forbidden"
            )
    rule = term_rule([TermSpec(clean, form, tuple(variants))], "nl")
    if rule is not None:
        try:
            parse_rule("Termen.Verboden", rule, "term list")
        except ConfigError as exc:
            raise ValidationError(
                "These words cannot be made into a rule.", field="forbidden"
            ) from exc
    return clean, form, variants, (note or "").strip() or None


def create_term(
    session: Session,
    actor: User | None,
    *,
    term: str,
    preferred: str = "",
    forbidden: Sequence[str] = (),
    note: str | None = None,
    now: datetime,
) -> Term:
    actor = require_role(actor, Role.EDITOR)
    clean, form, variants, clean_note = _clean_term(
        session, term=term, preferred=preferred, forbidden=forbidden, note=note, existing=None
    )
    row = Term(
        term=clean,
        preferred=form,
        forbidden=variants,
        note=clean_note,
        created_by=actor,
        created_at=now,
        updated_at=now,
    )
    session.add(row)
    session.flush()
    _touch(session, now)
    record_event(session, actor, "term.create", row, term=clean, forbidden=variants)
    return row


def update_term(
    session: Session,
    actor: User | None,
    row: Term,
    *,
    term: str,
    preferred: str = "",
    forbidden: Sequence[str] = (),
    note: str | None = None,
    now: datetime,
) -> Term:
    actor = require_role(actor, Role.EDITOR)
    clean, form, variants, clean_note = _clean_term(
        session, term=term, preferred=preferred, forbidden=forbidden, note=note, existing=row
    )
    row.term, row.preferred, row.forbidden, row.note = clean, form, variants, clean_note
    row.updated_at = now
    session.flush()
    _touch(session, now)
    record_event(session, actor, "term.update", row, term=clean, forbidden=variants)
    return row


def delete_term(session: Session, actor: User | None, row: Term, *, now: datetime) -> None:
    actor = require_role(actor, Role.EDITOR)
    record_event(session, actor, "term.delete", row, term=row.term)
    session.delete(row)
    session.flush()
    _touch(session, now)


# --- style packages -------------------------------------------------------------------------


@dataclass(slots=True)
class ImportResult:
    report: PackageReport
    package: StylePackage | None


def list_packages(session: Session, actor: User | None) -> list[StylePackage]:
    require_role(actor, Role.ADMIN)
    return list(session.scalars(select(StylePackage).order_by(StylePackage.uploaded_at.desc())))


def get_package(session: Session, actor: User | None, package_id: int) -> StylePackage:
    require_role(actor, Role.ADMIN)
    package = session.get(StylePackage, package_id)
    if package is None:
        raise NotFoundError("This style package does not exist.")
    return package


def _taken_styles(session: Session, exclude: StylePackage | None = None) -> set[str]:
    taken: set[str] = set()
    for other in session.scalars(select(StylePackage).where(StylePackage.is_active.is_(True))):
        if other is not exclude:
            taken |= package_styles(other.files)
    return taken


def import_style_package(
    session: Session, actor: User | None, *, name: str, data: bytes, now: datetime
) -> ImportResult:
    """Read, judge and (when nothing is broken) store and activate a Vale style package.

    A refused package is not stored; the report says why. Rules whose examples fail are stored
    but switched off, and named in the report.
    """
    actor = require_role(actor, Role.ADMIN)
    clean = " ".join((name or "").split())
    if not clean:
        raise ValidationError("Enter a name for the style package.", field="name")
    if len(clean) > 100:
        raise ValidationError("The name is too long (100 characters at most).", field="name")
    if session.scalar(select(StylePackage).where(StylePackage.name == clean)) is not None:
        raise ValidationError("A style package with this name already exists.", field="name")
    try:
        raw = read_zip(data)
    except PackageRefusedError as exc:
        return ImportResult(PackageReport(problems=exc.problems), None)
    files, report = judge_package(raw, _taken_styles(session))
    if not report.ok:
        return ImportResult(report, None)
    package = StylePackage(
        name=clean,
        files=files,
        report=report.to_json(),
        inactive_rules=report.inactive_rules,
        is_active=True,
        uploaded_by=actor,
        uploaded_at=now,
    )
    session.add(package)
    session.flush()
    _touch(session, now)
    record_event(
        session,
        actor,
        "style_package.import",
        package,
        name=clean,
        rules=len(report.rules),
        inactive=report.inactive_rules,
    )
    return ImportResult(report, package)


def set_package_active(
    session: Session, actor: User | None, package: StylePackage, active: bool, *, now: datetime
) -> StylePackage:
    actor = require_role(actor, Role.ADMIN)
    if active and not package.is_active:
        clash = package_styles(package.files) & _taken_styles(session, exclude=package)
        if clash:
            raise ValidationError(
                "Another active package already has the style %(name)s.", name=sorted(clash)[0]
            )
    package.is_active = active
    session.flush()
    _touch(session, now)
    record_event(
        session, actor, "style_package.activate" if active else "style_package.deactivate", package
    )
    return package


def delete_package(
    session: Session, actor: User | None, package: StylePackage, *, now: datetime
) -> None:
    actor = require_role(actor, Role.ADMIN)
    record_event(session, actor, "style_package.delete", package, name=package.name)
    session.delete(package)
    session.flush()
    _touch(session, now)


# --- acknowledged warnings ------------------------------------------------------------------


# --- overview -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ActiveOverview:
    """What the checks run against, for the brand page."""

    packages: list[StylePackage]
    term_count: int
    #: check name -> level, of the rules the Dutch configuration runs for a plain text
    rules_by_style: dict[str, int]


def describe_active(session: Session, actor: User | None) -> ActiveOverview:
    require_role(actor, Role.EDITOR)
    config = active_config(session, "nl")
    styles: dict[str, int] = {}
    for rule, _level in config.rule_set("fragment.txt").rules:
        style = rule.name.split(".", 1)[0]
        styles[style] = styles.get(style, 0) + 1
    for name in config.rule_set("fragment.txt").by_scan:
        style = name.split(".", 1)[0]
        styles[style] = styles.get(style, 0) + 1
    packages = list(
        session.scalars(
            select(StylePackage).where(StylePackage.is_active.is_(True)).order_by(StylePackage.name)
        )
    )
    term_count = session.scalar(select(func.count()).select_from(Term)) or 0
    return ActiveOverview(packages, term_count, dict(sorted(styles.items())))
