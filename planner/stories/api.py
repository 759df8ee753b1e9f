"""The stories part of the JSON API: list (with filters), submit, and read one story."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from flask import g
from pydantic import BaseModel, Field

from planner.api import api
from planner.errors import ConflictError, ValidationError
from planner.stories import services
from planner.stories.models import Story, StorySource, StoryStatus
from planner.web.database import commit, db_session

MAX_ID = 2**31 - 1
#: no NUL characters (PostgreSQL cannot store them) and at least one visible character
SOME_TEXT = r"^[^\x00]*[^\x00\s\x1c-\x1f][^\x00]*$"
NO_NUL = r"^[^\x00]*$"


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
    commit()
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
