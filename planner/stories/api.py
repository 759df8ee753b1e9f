"""The stories part of the JSON API: list (with filters), submit, read and change one story, add
photos to it (multipart) and fetch their files with the bearer token, comment on it, and the
themes stories are about."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from flask import g, request, url_for
from pydantic import BaseModel, Field
from werkzeug.datastructures import FileStorage
from werkzeug.wrappers import Response as BaseResponse

from planner.accounts.models import Role
from planner.accounts.permissions import require_role
from planner.api import DOCUMENT_HOOKS, api
from planner.api.spec import MAX_ID, NO_NUL
from planner.errors import ConflictError, ValidationError
from planner.media.storage import Storage
from planner.stories import photos as photo_services
from planner.stories import services, themes
from planner.stories.models import Photo, Story, StoryComment, StorySource, StoryStatus, Theme
from planner.web import runtime
from planner.web.database import db_session
from planner.web.files import send_stored
from planner.web.problems import problem

#: no NUL characters (PostgreSQL cannot store them) and at least one visible character
SOME_TEXT = r"^[^\x00]*[^\x00\s\x1c-\x1f][^\x00]*$"


class PhotoOut(BaseModel):
    id: int
    story_id: int
    alt_text: str
    width: int
    height: int
    mime: str
    byte_size: int
    sha256: str
    focal_x: float
    focal_y: float
    position: int
    #: where the stored (metadata-free) file is fetched, with the same bearer token
    url: str
    created_at: datetime


class StoryOut(BaseModel):
    id: int
    title: str
    body: str
    language: str
    source: str
    status: str
    decline_reason: str | None
    contributor: str | None
    themes: list[str]
    campaign: str | None
    is_publishable: bool
    photos: list[PhotoOut]
    created_at: datetime
    updated_at: datetime


class StoryQuery(BaseModel):
    status: Literal["new", "accepted", "in_production", "told", "declined"] | None = None
    source: Literal["employee", "resident", "partner", "organisation"] | None = None
    theme_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    campaign_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    contributor_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    q: str | None = Field(default=None, max_length=200, pattern=NO_NUL)


class StoryIn(BaseModel):
    title: str = Field(min_length=1, max_length=200, pattern=SOME_TEXT)
    body: str = Field(min_length=1, max_length=50_000, pattern=SOME_TEXT)
    language: Literal["nl", "en"] = "nl"
    theme_ids: list[Annotated[int, Field(ge=1, le=MAX_ID)]] = Field(
        default_factory=list, max_length=20
    )


class StoryPatch(BaseModel):
    """Only the fields sent are changed; status changes follow the story workflow."""

    title: str | None = Field(default=None, min_length=1, max_length=200, pattern=SOME_TEXT)
    body: str | None = Field(default=None, min_length=1, max_length=50_000, pattern=SOME_TEXT)
    language: Literal["nl", "en"] | None = None
    theme_ids: list[Annotated[int, Field(ge=1, le=MAX_ID)]] | None = Field(
        default=None, max_length=20
    )
    campaign_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    status: Literal["new", "accepted", "in_production", "told", "declined"] | None = None
    decline_reason: str | None = Field(default=None, max_length=2000, pattern=NO_NUL)


class ThemeOut(BaseModel):
    id: int
    name: str
    description: str
    target_share: int


class ThemeIn(BaseModel):
    name: str = Field(min_length=1, max_length=100, pattern=SOME_TEXT)
    description: str = Field(default="", max_length=2000, pattern=NO_NUL)
    target_share: int = Field(default=0, ge=0, le=100)


def photo_out(photo: Photo) -> PhotoOut:
    return PhotoOut(
        id=photo.id,
        story_id=photo.story_id,
        alt_text=photo.alt_text,
        width=photo.width,
        height=photo.height,
        mime=photo.mime,
        byte_size=photo.byte_size,
        sha256=photo.sha256,
        focal_x=photo.focal_x,
        focal_y=photo.focal_y,
        position=photo.position,
        url=url_for("api.media_file", key=photo.storage_key),
        created_at=photo.created_at,
    )


def theme_out(theme: Theme) -> ThemeOut:
    return ThemeOut(
        id=theme.id, name=theme.name, description=theme.description, target_share=theme.target_share
    )


def story_out(story: Story) -> StoryOut:
    return StoryOut(
        id=story.id,
        title=story.title,
        body=story.body,
        language=story.language,
        source=story.source.value,
        status=story.status.value,
        decline_reason=story.decline_reason,
        contributor=story.contributor_display or None,
        themes=[t.name for t in story.themes],
        campaign=story.campaign.name if story.campaign else None,
        is_publishable=services.is_publishable(story),
        photos=[photo_out(p) for p in story.photos],
        created_at=story.created_at,
        updated_at=story.updated_at,
    )


@api.operation(
    "GET",
    "/stories",
    summary="Stories, newest first (contributors see their own)",
    tags=["stories"],
    response=StoryOut,
    query=StoryQuery,
    errors=(403,),
    many=True,
)
def list_stories(query: StoryQuery) -> list[StoryOut]:
    filters = services.StoryFilters(
        status=StoryStatus(query.status) if query.status else None,
        source=StorySource(query.source) if query.source else None,
        theme_id=query.theme_id,
        campaign_id=query.campaign_id,
        contributor_id=query.contributor_id,
        q=query.q,
    )
    return [story_out(s) for s in services.list_stories(db_session(), g.api_user, filters)]


@api.operation(
    "POST",
    "/stories",
    summary="Send in a story as an employee",
    tags=["stories"],
    response=StoryOut,
    body=StoryIn,
    status=201,
    errors=(403, 409),
)
def create_story(body: StoryIn) -> StoryOut:
    try:
        story = services.submit_story(
            db_session(),
            g.api_user,
            title=body.title,
            body=body.body,
            language=body.language,
            theme_ids=body.theme_ids,
        )
    except ValidationError as exc:
        # The body was well formed; a theme that does not exist (any more) is a state conflict.
        if exc.field != "themes":
            raise
        raise ConflictError(exc.message, field="theme_ids") from exc
    return story_out(story)


@api.operation(
    "GET",
    "/stories/<int:story_id>",
    summary="One story",
    tags=["stories"],
    response=StoryOut,
    errors=(403, 404),
)
def get_story(story_id: int) -> StoryOut:
    return story_out(services.get_story(db_session(), g.api_user, story_id))


def _state_conflict(exc: ValidationError, fields: dict[str, str]) -> ConflictError:
    """A well-formed body naming something that does not exist (any more) is a state conflict."""
    return ConflictError(exc.message, field=fields[exc.field or ""])


@api.operation(
    "PATCH",
    "/stories/<int:story_id>",
    summary="Change a story: text, themes, campaign, or its status",
    tags=["stories"],
    response=StoryOut,
    body=StoryPatch,
    errors=(403, 409),
)
def patch_story(story_id: int, body: StoryPatch) -> StoryOut:
    session = db_session()
    story = services.get_story(session, g.api_user, story_id)
    sent = body.model_fields_set
    content = {"title", "body", "language", "theme_ids", "campaign_id"} & sent
    try:
        if content:
            services.update_story(
                session,
                g.api_user,
                story.id,
                title=body.title if body.title is not None else story.title,
                body=body.body if body.body is not None else story.body,
                language=body.language or story.language,
                theme_ids=(
                    body.theme_ids if body.theme_ids is not None else [t.id for t in story.themes]
                ),
                campaign_id=body.campaign_id if "campaign_id" in sent else story.campaign_id,
            )
    except ValidationError as exc:
        if exc.field not in ("themes", "campaign"):
            raise
        raise _state_conflict(exc, {"themes": "theme_ids", "campaign": "campaign_id"}) from exc
    if body.status is not None and body.status != story.status.value:
        services.set_story_status(
            session, g.api_user, story.id, StoryStatus(body.status), reason=body.decline_reason
        )
    return story_out(story)


def _storage() -> Storage:
    storage: Storage = runtime.storage()
    return storage


@api.operation(
    "POST",
    "/stories/<int:story_id>/media",
    summary="Add a photo to a story (multipart: file and alt)",
    tags=["stories"],
    response=PhotoOut,
    status=201,
    errors=(400, 403, 413, 422),
)
def upload_media(story_id: int) -> Any:
    upload = request.files.get("file")
    if not isinstance(upload, FileStorage) or not request.mimetype.startswith("multipart/"):
        return problem(
            422,
            "Unprocessable content",
            "Send the photo as multipart/form-data with a 'file' part.",
            type_="validation-error",
            errors=[{"field": "file", "message": "A file is required."}],
        )
    alt = request.form.get("alt", "")
    try:
        photo = photo_services.add_photo(
            db_session(), g.api_user, story_id, upload.read(), alt, _storage()
        )
    except ValidationError as exc:
        field = "alt" if (exc.field or "").endswith("-alt") else "file"
        if exc.field == "photos":  # the story already has as many photos as it may
            raise ConflictError(exc.message, field="file") from exc
        exc.field = field
        raise
    return photo_out(photo)


def _multipart_media(document: dict[str, Any]) -> None:
    """The media upload is multipart, which the JSON-only operation declarations cannot say."""
    operation = document["paths"]["/api/v1/stories/{story_id}/media"]["post"]
    operation["requestBody"] = {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {"type": "string", "format": "binary"},
                        "alt": {"type": "string", "maxLength": 1000},
                    },
                }
            }
        },
    }


DOCUMENT_HOOKS.append(_multipart_media)


@api.operation(
    "GET",
    "/themes",
    summary="The organisation's themes (strategic goals) with their target shares",
    tags=["stories"],
    response=ThemeOut,
    errors=(403,),
    many=True,
)
def list_themes() -> list[ThemeOut]:
    require_role(g.api_user, Role.CONTRIBUTOR)
    return [theme_out(t) for t in themes.list_themes(db_session())]


@api.operation(
    "POST",
    "/themes",
    summary="Add a theme (editors)",
    tags=["stories"],
    response=ThemeOut,
    body=ThemeIn,
    status=201,
    errors=(403, 409),
)
def create_theme(body: ThemeIn) -> ThemeOut:
    try:
        theme = themes.create_theme(
            db_session(),
            g.api_user,
            name=body.name,
            description=body.description,
            target_share=body.target_share,
        )
    except ValidationError as exc:
        if exc.field != "name":
            raise
        raise _state_conflict(exc, {"name": "name"}) from exc
    return theme_out(theme)


# --- comments and photo files -------------------------------------------------------------------


class StoryCommentIn(BaseModel):
    body: str = Field(min_length=1, max_length=5000, pattern=SOME_TEXT)


class StoryCommentOut(BaseModel):
    id: int
    story_id: int
    author: str | None
    body: str
    created_at: datetime


def _comment_out(comment: StoryComment) -> StoryCommentOut:
    return StoryCommentOut(
        id=comment.id,
        story_id=comment.story_id,
        author=comment.author.name if comment.author else None,
        body=comment.body,
        created_at=comment.created_at,
    )


@api.operation(
    "GET",
    "/stories/<int:story_id>/comments",
    summary="Editors' comments on a story, oldest first",
    tags=["stories"],
    response=StoryCommentOut,
    errors=(403,),
    many=True,
)
def list_story_comments(story_id: int) -> list[StoryCommentOut]:
    require_role(g.api_user, Role.EDITOR)
    story = services.get_story(db_session(), g.api_user, story_id)
    return [_comment_out(c) for c in sorted(story.comments, key=lambda c: c.id)]


@api.operation(
    "POST",
    "/stories/<int:story_id>/comments",
    summary="Comment on a story (editors)",
    tags=["stories"],
    response=StoryCommentOut,
    body=StoryCommentIn,
    status=201,
    errors=(403,),
)
def add_story_comment(story_id: int, body: StoryCommentIn) -> StoryCommentOut:
    return _comment_out(services.add_comment(db_session(), g.api_user, story_id, body.body))


@api.operation(
    "GET",
    "/media/<path:key>",
    summary="A stored photo file (the url of a photo in any answer), with the same bearer token",
    tags=["stories"],
    response=None,
    errors=(403,),
)
def media_file(key: str) -> BaseResponse:
    mime = photo_services.authorise_media_key(db_session(), g.api_user, key)
    return send_stored(key, mime, immutable=True)


def _document_media(document: dict[str, Any]) -> None:
    """The photo file answers with the image itself, not JSON."""
    item = document["paths"].get("/api/v1/media/{key}", {}).get("get")
    if item is not None:
        item["responses"]["200"] = {
            "description": "The image",
            "content": {"image/*": {"schema": {"type": "string", "contentMediaType": "image/*"}}},
        }


DOCUMENT_HOOKS.append(_document_media)
