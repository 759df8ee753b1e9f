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
from planner.fragments import comments, gate, services
from planner.fragments.models import Fragment
from planner.stories import services as story_services
from planner.web import runtime
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
    hashtags: list[str]
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
        default=None, max_length=30
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
    """The OpenAPI document names the If-Match header the PATCH accepts, and the ETag of GET."""
    item = document["paths"].get("/api/v1/fragments/{fragment_id}", {})
    if "patch" in item:
        item["patch"]["parameters"].append(
            {
                "name": "If-Match",
                "in": "header",
                "required": False,
                "description": "The ETag of GET (the version edited); or 'version' in the body.",
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
        for p in services.preview_fragment(fragment)
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


# --- the review workflow --------------------------------------------------------------------


class SubmitIn(BaseModel):
    #: the version being submitted (what the author last saw)
    version: int = Field(ge=1, le=MAX_ID)


class AcknowledgeIn(BaseModel):
    """A warning from GET /fragments/{id}/checks, named by its field, check and match."""

    field: str = Field(min_length=1, max_length=32, pattern=NO_NUL)
    check: str = Field(min_length=1, max_length=200, pattern=NO_NUL)
    match: str = Field(max_length=500, pattern=NO_NUL)
    reason: str = Field(min_length=1, max_length=gate.MAX_REASON, pattern=NO_NUL)


class AcknowledgementOut(BaseModel):
    id: int
    fragment_id: int
    field: str
    check: str
    match: str
    reason: str
    fragment_version: int
    acknowledged_by: str | None
    acknowledged_at: datetime


class CommentIn(BaseModel):
    body: str = Field(min_length=1, max_length=comments.MAX_COMMENT, pattern=NO_NUL)


class CommentOut(BaseModel):
    id: int
    author: str | None
    body: str
    #: the fragment version it was made on (fragment comments only)
    version: int | None = None
    created_at: datetime


def _moved(fragment: Fragment, version: int) -> None:
    if version != fragment.version:
        raise ConflictError(
            "The fragment changed after you read it; read the new version first.",
            version=fragment.version,
            seen_version=version,
        )


@api.operation(
    "POST",
    "/fragments/<int:fragment_id>/submit",
    summary="Submit a draft for review (the brand gate decides; 409 with the findings, or with "
    "the current version when it moved on)",
    tags=["fragments"],
    response=FragmentOut,
    body=SubmitIn,
    errors=(403, 409),
)
def submit_fragment(fragment_id: int, body: SubmitIn) -> FragmentOut:
    session = db_session()
    fragment = services.get_fragment(session, g.api_user, fragment_id)
    services.lock_for_change(session, fragment)
    _moved(fragment, body.version)
    services.submit_for_review(session, g.api_user, fragment)
    return fragment_out(fragment)


@api.operation(
    "POST",
    "/fragments/<int:fragment_id>/acknowledgements",
    summary="Let a warning stand, with a reason (approval and scheduling wait for this)",
    tags=["fragments"],
    response=AcknowledgementOut,
    body=AcknowledgeIn,
    status=201,
    errors=(403, 409),
)
def acknowledge_warning(fragment_id: int, body: AcknowledgeIn) -> AcknowledgementOut:
    session = db_session()
    fragment = services.get_fragment(session, g.api_user, fragment_id)
    try:
        row = gate.acknowledge_warning(
            session,
            g.api_user,
            fragment,
            field=body.field,
            check=body.check,
            match=body.match,
            reason=body.reason,
            now=runtime.now(),
        )
    except ValidationError as exc:
        if exc.field == "reason" and body.reason.strip():
            # Well-formed, but no such warning in the saved text (or it is an error).
            raise ConflictError(exc.message) from exc
        raise
    return AcknowledgementOut(
        id=row.id,
        fragment_id=fragment.id,
        field=row.field,
        check=row.check,
        match=row.match,
        reason=row.reason,
        fragment_version=row.fragment_version,
        acknowledged_by=row.acknowledged_by.name if row.acknowledged_by else None,
        acknowledged_at=row.acknowledged_at,
    )


@api.operation(
    "GET",
    "/fragments/<int:fragment_id>/comments",
    summary="Colleagues' comments on a fragment, oldest first",
    tags=["fragments"],
    response=CommentOut,
    errors=(403,),
    many=True,
)
def list_fragment_comments(fragment_id: int) -> list[CommentOut]:
    session = db_session()
    fragment = services.get_fragment(session, g.api_user, fragment_id)
    return [
        CommentOut(
            id=c.id,
            author=c.author.name if c.author else None,
            body=c.body,
            version=c.version,
            created_at=c.created_at,
        )
        for c in comments.list_comments(session, g.api_user, fragment)
    ]


@api.operation(
    "POST",
    "/fragments/<int:fragment_id>/comments",
    summary="Comment on a fragment (editors)",
    tags=["fragments"],
    response=CommentOut,
    body=CommentIn,
    status=201,
    errors=(403,),
)
def add_fragment_comment(fragment_id: int, body: CommentIn) -> CommentOut:
    session = db_session()
    fragment = services.get_fragment(session, g.api_user, fragment_id)
    comment = comments.add_comment(session, g.api_user, fragment, body.body)
    return CommentOut(
        id=comment.id,
        author=g.api_user.name,
        body=comment.body,
        version=comment.version,
        created_at=comment.created_at,
    )
