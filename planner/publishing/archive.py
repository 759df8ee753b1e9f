"""The archive: what a publication record copies, and the export of every publication of a period
as CSV or JSON, exactly as recorded.

Dutch public bodies must be able to hand over what they published; the records are copies made
at publication time (planner.publishing.models.Publication), so the export still says what went
out after fragments, channels or people have changed. ``publication_content`` is the one place
that decides what a record copies, whether the engine sent it or a person posted it by hand.
Times are UTC in ISO 8601.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from planner.accounts.models import Role, User
from planner.accounts.permissions import require_role
from planner.channels.models import Channel
from planner.errors import ValidationError
from planner.fragments.models import Fragment
from planner.publishing.models import Publication
from planner.timekeeping.wallclock import NonexistentLocalTimeError, ensure_utc, resolve_local

MAX_ROWS = 50_000
CSV_COLUMNS = (
    "id",
    "published_at",
    "channel_name",
    "channel_kind",
    "fragment_id",
    "fragment_kind",
    "fragment_version",
    "title",
    "text",
    "parts",
    "media",
    "approvers",
    "remote_id",
    "remote_url",
    "method",
)


def publication_content(
    fragment: Fragment,
    channel: Channel,
    *,
    parts: Sequence[str],
    approvers: Sequence[str],
    media: Sequence[dict[str, str]],
) -> dict[str, Any]:
    """The columns of a Publication that copy the fragment as it went out.

    ``parts`` are the posts as sent (one for a single post or an article); ``media`` lists each
    image's sha256, alt text and type; ``approvers`` the names who approved this version.
    """
    return {
        "fragment_id": fragment.id,
        "channel_id": channel.id,
        "channel_name": channel.name,
        "channel_kind": channel.kind_key,
        "fragment_kind": fragment.kind,
        "fragment_version": fragment.version,
        "title": fragment.title,
        "parts": list(parts),
        "body": fragment.body if fragment.kind == "article" else fragment.text(),
        "media": [dict(item) for item in media],
        "approvers": list(approvers),
    }


def _local_midnight(day: date, tz: str) -> datetime:
    try:
        return resolve_local(datetime.combine(day, time()), tz, fold="earlier")
    except NonexistentLocalTimeError as exc:
        return exc.first_valid_at


def period_bounds(
    start: date | None, end: date | None, tz: str
) -> tuple[datetime | None, datetime | None]:
    """UTC instants for whole local days from ``start`` up to and including ``end``."""
    for day, field in ((start, "start"), (end, "end")):
        # an archive spans this millennium; year 1 or 9999 would overflow the UTC conversion
        if day is not None and not 2000 <= day.year <= 2999:
            raise ValidationError("Choose a date between the years 2000 and 2999.", field=field)
    if start and end and end < start:
        raise ValidationError("The end of the period is before its start.", field="end")
    low = _local_midnight(start, tz) if start else None
    high = _local_midnight(end + timedelta(days=1), tz) if end else None
    return low, high


def list_publications(
    session: Session,
    actor: User | None,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[Publication]:
    """Publications with ``since <= published_at < until``, oldest first (admins)."""
    require_role(actor, Role.ADMIN)
    query = select(Publication).order_by(Publication.published_at, Publication.id)
    if since is not None:
        query = query.where(Publication.published_at >= since)
    if until is not None:
        query = query.where(Publication.published_at < until)
    return list(session.scalars(query.limit(MAX_ROWS)))


def record_dict(publication: Publication) -> dict[str, Any]:
    """One record as plain values; the JSON export writes exactly this."""
    return {
        "id": publication.id,
        "published_at": ensure_utc(publication.published_at).isoformat().replace("+00:00", "Z"),
        "channel_name": publication.channel_name,
        "channel_kind": publication.channel_kind,
        "fragment_id": publication.fragment_id,
        "fragment_kind": publication.fragment_kind,
        "fragment_version": publication.fragment_version,
        "title": publication.title,
        "text": publication.body,
        "parts": list(publication.parts or []),
        "media": [dict(m) for m in publication.media or []],
        "approvers": list(publication.approvers or []),
        "remote_id": publication.remote_id,
        "remote_url": publication.remote_url,
        "method": publication.method,
    }


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    text = str(value)
    # A cell starting with = + - @ is run as a formula by spreadsheet programs: neutralise it.
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text


def to_csv(publications: list[Publication]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for publication in publications:
        row = record_dict(publication)
        writer.writerow([_cell(row[column]) for column in CSV_COLUMNS])
    return buffer.getvalue()


def to_json(
    publications: list[Publication], *, since: datetime | None, until: datetime | None
) -> str:
    document = {
        "period": {
            "from": since.isoformat() if since else None,
            "until": until.isoformat() if until else None,
        },
        "publications": [record_dict(p) for p in publications],
    }
    return json.dumps(document, ensure_ascii=False, indent=2)
