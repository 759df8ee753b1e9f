"""A post's or thread's hashtags are the ones written in its text, read from it on every save; a
list that says otherwise is refused. An article's tags are a list of their own."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from planner.accounts.models import User
from planner.errors import ValidationError
from planner.fragments import services
from planner.fragments.hashtags import hashtags_in_text
from tests import factories as make


def test_a_posts_hashtags_are_the_ones_in_its_text(db: Session, editor: User) -> None:
    fragment = make.fragment(db, editor, submit=False)
    assert fragment.hashtags == hashtags_in_text(fragment.parts)
    services.update_fragment(
        db, editor, fragment, parts=["Kom naar het #Havenpark en de #OpenDag, #havenpark!"]
    )
    assert fragment.hashtags == ["Havenpark", "OpenDag"]
    services.update_fragment(db, editor, fragment, parts=["Geen tags meer."], hashtags=[])
    assert fragment.hashtags == []
    with pytest.raises(ValidationError) as refused:
        services.update_fragment(db, editor, fragment, hashtags=["Zuiderhaven"])
    assert refused.value.field == "hashtags"
    assert fragment.hashtags == []


def test_an_articles_hashtags_are_its_own_list(db: Session, editor: User) -> None:
    blog = make.channel(db, editor, "Nieuws", kind_key="blog")
    fragment = make.fragment(db, editor, blog, submit=False)
    assert not [tag for tag in fragment.hashtags if tag.startswith("#")]  # stored without "#"
    services.update_fragment(db, editor, fragment, hashtags=["#OpenDag", "Zuiderhaven"])
    assert fragment.hashtags == ["OpenDag", "Zuiderhaven"]
