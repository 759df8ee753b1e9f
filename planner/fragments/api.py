"""The fragments part of the JSON API: split a story, read and edit fragments, preview and check
them, and check any text against the house style without storing anything.

An edit names the version it was made on (``version`` in the body, or ``If-Match`` with the ETag
that GET gives): without either it is refused with 428, so nobody silently overwrites a
colleague's edit; with an older one it is a 409 carrying the current version."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from flask import Response, g, jsonify, request
from pydantic import BaseModel, Field

from planner.api import DOCUMENT_HOOKS, api
from planner.api.spec import MAX_ID, NO_NUL
from planner.brand.engine import Alert
from planner.channels.api import KIND_PATTERN
from planner.errors import ConflictError, ValidationError
from planner.fragments import gate, live, services
from planner.fragments.models import Fragment
from planner.stories import services as story_services
from planner.web.database import db_session
from planner.web.problems import problem

Text = Annotated[str, Field(max_length=20_000, pattern=NO_NUL)]


class FragmentOut(BaseModel):
    id: int
    story_id: int
    channel_id: int
    channel_kind: str
    kind: str
    status: str
    version: int
    parts: list[str]
    title: str | None
    lead: str | None
    body: str | None
    meta_description: str | None
    video_brief: dict[str, Any] | None
    #: a post's or thread's: the hashtags in its text; an article's: its own list
    hashtags: list[str] = Field(
        description="A post's or thread's hashtags are the ones written in its text (read from "
        "it on every save); an article's are a list of their own, sent with it."
    )
    #: the story's photos this fragment carries, in order (see /api/v1/stories/{id})
    photo_ids: list[int]
    is_sponsored: bool
    scheduled_at: datetime | None
    created_at: datetime
    updated_at: datetime


class SplitIn(BaseModel):
    channel: int = Field(ge=1, le=MAX_ID)
    kind: Literal["post", "thread", "article", "video_brief"] | None = None


class FragmentPatch(BaseModel):
    version: int | None = Field(default=None, ge=1, le=MAX_ID)
    parts: list[Text] | None = Field(default=None, max_length=services.MAX_PARTS)
    title: str | None = Field(default=None, max_length=300, pattern=NO_NUL)
    lead: str | None = Field(default=None, max_length=2000, pattern=NO_NUL)
    body: str | None = Field(default=None, max_length=70_000, pattern=NO_NUL)
    meta_description: str | None = Field(default=None, max_length=300, pattern=NO_NUL)
    hashtags: list[Annotated[str, Field(max_length=100, pattern=NO_NUL)]] | None = Field(
        default=None,
        max_length=30,
        description="An article's hashtags. A post's or thread's are the ones in its text: leave "
        "this out (or send those same tags); any other list is refused with 409.",
    )
    photo_ids: list[Annotated[int, Field(ge=1, le=MAX_ID)]] | None = Field(
        default=None, max_length=20
    )
    is_sponsored: bool | None = None


class AlertOut(BaseModel):
    check: str
    severity: str
    message: str
    match: str
    start: int
    end: int
    line: int
    action: str
    replacements: list[str]
    #: which text the offsets are in: "part-0", "body", ...
    field: str | None = None


class PreviewPartOut(BaseModel):
    field: str
    text: str
    html: str
    count: int
    limit: int | None
    remaining: int | None
    fits: bool
    more_cut_offset: int | None


class PreviewOut(BaseModel):
    fragment_id: int
    channel_kind: str
    parts: list[PreviewPartOut]


class CheckIn(BaseModel):
    text: str = Field(max_length=70_000, pattern=NO_NUL)
    format: Literal["markdown", "plain"] = "plain"
    channel: str | None = Field(default=None, max_length=32, pattern=KIND_PATTERN)
    language: Literal["nl", "en"] = "nl"
    #: sponsored content must carry a disclosure early on
    sponsored: bool = False


def fragment_out(fragment: Fragment) -> FragmentOut:
    return FragmentOut(
        id=fragment.id,
        story_id=fragment.story_id,
        channel_id=fragment.channel_id,
        channel_kind=fragment.channel.kind_key,
        kind=fragment.kind,
        status=fragment.status.value,
        version=fragment.version,
        parts=list(fragment.parts),
        title=fragment.title,
        lead=fragment.lead,
        body=fragment.body,
        meta_description=fragment.meta_description,
        video_brief=fragment.video_brief,
        hashtags=list(fragment.hashtags),
        photo_ids=list(fragment.photo_ids or []),
        is_sponsored=fragment.is_sponsored,
        scheduled_at=fragment.scheduled_at,
        created_at=fragment.created_at,
        updated_at=fragment.updated_at,
    )


def alert_out(alert: Alert, field: str | None = None) -> AlertOut:
    return AlertOut(
        check=alert.check,
        severity=alert.severity,
        message=alert.message,
        match=alert.match,
        start=alert.start,
        end=alert.end,
        line=alert.line,
        action=alert.action.name,
        replacements=list(alert.action.params or ()),
        field=field,
    )


@api.operation(
    "POST",
    "/stories/<int:story_id>/fragments",
    summary="Draft a fragment of a story for one channel (editors)",
    tags=["fragments"],
    response=FragmentOut,
    body=SplitIn,
    status=201,
    errors=(403, 409),
    many=True,
)
def split_story(story_id: int, body: SplitIn) -> list[FragmentOut]:
    session = db_session()
    story = story_services.get_story(session, g.api_user, story_id)
    try:
        fragments = services.split_story(
            session, g.api_user, story, [body.channel], fragment_kind=body.kind
        )
    except ValidationError as exc:
        # e.g. a video brief asked of a channel that takes only posts
        raise ConflictError(exc.message, field=exc.field) from exc
    return [fragment_out(f) for f in fragments]


def _with_etag(fragment: Fragment) -> Response:
    """The fragment as JSON with its version as the ETag (for ``If-Match`` on the next edit)."""
    response = jsonify(fragment_out(fragment).model_dump(mode="json"))
    response.set_etag(str(fragment.version))
    return response


def _if_match_version() -> int | None:
    """The version an ``If-Match`` header names (``"3"``, ``W/"3"`` or ``3``); None without one."""
    header = request.headers.get("If-Match", "").strip()
    if not header:
        return None
    tag = header.split(",")[0].strip().removeprefix("W/").strip('"')
    if not tag.isdigit() or not 1 <= int(tag) <= MAX_ID:
        raise ValidationError(
            "If-Match names a fragment version: the ETag of GET.", field="If-Match"
        )
    return int(tag)


@api.operation(
    "GET",
    "/fragments/<int:fragment_id>",
    summary="One fragment; the ETag is its version",
    tags=["fragments"],
    response=FragmentOut,
    errors=(403,),
)
def get_fragment(fragment_id: int) -> Response:
    return _with_etag(services.get_fragment(db_session(), g.api_user, fragment_id))


@api.operation(
    "PATCH",
    "/fragments/<int:fragment_id>",
    summary="Change a fragment; every change is a new version. Name the version you edited "
    "(body 'version' or If-Match): 428 without, 409 with the current version when it moved on",
    tags=["fragments"],
    response=FragmentOut,
    body=FragmentPatch,
    errors=(403, 409, 428),
)
def update_fragment(fragment_id: int, body: FragmentPatch) -> Response:
    session = db_session()
    fragment = services.get_fragment(session, g.api_user, fragment_id)
    expected = body.version if body.version is not None else _if_match_version()
    if expected is None:
        return problem(
            428,
            "Precondition required",
            "Name the version you edited: 'version' in the body or an If-Match header "
            "with the ETag of GET. Nothing was saved.",
            type_="version-required",
            version=fragment.version,
        )
    changes = body.model_dump(exclude_unset=True, exclude={"version"})
    lists = ("parts", "hashtags", "photo_ids")
    changes = {k: v for k, v in changes.items() if not (v is None and k in lists)}
    if changes.get("is_sponsored", False) is None:
        changes.pop("is_sponsored")
    try:
        services.update_fragment(
            session, g.api_user, fragment, expected_version=expected, **changes
        )
    except ValidationError as exc:
        # Well-formed, but wrong for this fragment (two parts for a post): a state conflict.
        raise ConflictError(exc.message, field=exc.field) from exc
    return _with_etag(fragment)


def _document_if_match(document: dict[str, Any]) -> None:
    """The OpenAPI document names the If-Match header the PATCH accepts, and the ETag of GET.

    ``version`` is documented as required: a body cannot say "this or that header", and the
    stricter contract is the one to follow (a body without it, and without If-Match, gets 428).
    """
    patch_schema = document["components"]["schemas"].get("FragmentPatch")
    if patch_schema is not None:
        patch_schema["required"] = sorted({*patch_schema.get("required", []), "version"})
        patch_schema["properties"]["version"] = {
            "type": "integer",
            "minimum": 1,
            "maximum": MAX_ID,
            "description": "The version edited (or send If-Match instead)",
        }
    item = document["paths"].get("/api/v1/fragments/{fragment_id}", {})
    if "patch" in item:
        item["patch"]["parameters"].append(
            {
                "name": "If-Match",
                "in": "header",
                "required": False,
                "description": "The ETag of GET (the version edited), instead of 'version' in "
                "the body.",
                "schema": {"type": "string", "maxLength": 40},
            }
        )
    for method in ("get", "patch"):
        ok = item.get(method, {}).get("responses", {}).get("200")
        if ok is not None:
            ok["headers"] = {
                "ETag": {"description": "The fragment's version", "schema": {"type": "string"}}
            }


DOCUMENT_HOOKS.append(_document_if_match)


@api.operation(
    "GET",
    "/fragments/<int:fragment_id>/preview",
    summary="How the fragment will look on its channel, counted",
    tags=["fragments"],
    response=PreviewOut,
    errors=(403,),
)
def preview_fragment(fragment_id: int) -> PreviewOut:
    fragment = services.get_fragment(db_session(), g.api_user, fragment_id)
    parts = [
        PreviewPartOut(
            field=p.field,
            text=p.text,
            html=str(p.preview.html),
            count=p.preview.count,
            limit=p.preview.limit,
            remaining=p.preview.remaining,
            fits=p.preview.fits,
            more_cut_offset=p.preview.more_cut_offset,
        )
        for p in live.preview_fragment(fragment)
        if p.preview is not None
    ]
    return PreviewOut(fragment_id=fragment.id, channel_kind=fragment.channel.kind_key, parts=parts)


@api.operation(
    "GET",
    "/fragments/<int:fragment_id>/checks",
    summary="Brand and channel findings for the fragment as stored",
    tags=["fragments"],
    response=AlertOut,
    errors=(403,),
    many=True,
)
def check_fragment(fragment_id: int) -> list[AlertOut]:
    fragment = services.get_fragment(db_session(), g.api_user, fragment_id)
    return [
        alert_out(alert, found.field)
        for found in gate.check_fragment_parts(fragment)
        for alert in found.alerts
    ]


@api.operation(
    "POST",
    "/check",
    summary="Check any text against the house style and a channel; nothing is stored",
    tags=["fragments"],
    response=AlertOut,
    body=CheckIn,
    many=True,
    read_only=True,
)
def check_text(body: CheckIn) -> list[AlertOut]:
    alerts = gate.check_draft(
        body.text,
        body.channel,
        body.language,
        markdown=body.format == "markdown",
        session=db_session(),
        sponsored=body.sponsored,
    )
    return [alert_out(alert) for alert in alerts]
