"""The accounts part of the JSON API: GET /api/v1/me, who the token belongs to."""

from __future__ import annotations

from datetime import datetime

from flask import g
from pydantic import BaseModel

from planner.api import api


class UserOut(BaseModel):
    id: int
    email: str
    name: str
    role: str
    language: str | None
    created_at: datetime


@api.operation(
    "GET", "/me", summary="The user the token belongs to", tags=["accounts"], response=UserOut
)
def get_me() -> UserOut:
    user = g.api_user
    return UserOut(
        id=user.id,
        email=user.email,
        name=user.name,
        role=user.role.value,
        language=user.language,
        created_at=user.created_at,
    )
