"""Approval records: who agreed to which version of a fragment, and the reviewer links that let
someone without an account judge one fragment once.

A reviewer's approval keeps the name they typed and the link it came through; it is never shown
as a staff member's approval, on the page, in the API or in the archive.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from planner.accounts.models import User
from planner.db import Base, enum_column, utcnow
from planner.fragments.models import Fragment


class ApprovalDecision(enum.Enum):
    APPROVED = "approved"
    CHANGES_REQUESTED = "changes_requested"


class FragmentApproval(Base):
    """One reviewer's decision on one version of a fragment."""

    __tablename__ = "fragment_approvals"

    id: Mapped[int] = mapped_column(primary_key=True)
    fragment_id: Mapped[int] = mapped_column(
        ForeignKey("fragments.id", ondelete="CASCADE"), index=True
    )
    #: the fragment version the decision is about; an edit makes older approvals void
    version: Mapped[int]
    #: 1 or 2: which approval step this decision fills
    step: Mapped[int] = mapped_column(default=1)
    decision: Mapped[ApprovalDecision] = mapped_column(
        enum_column(ApprovalDecision, "approval_decision")
    )
    #: the editor who decided, or None for a reviewer without an account (see reviewer_name)
    approver_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    reviewer_name: Mapped[str | None] = mapped_column(String(200))
    #: the reviewer link a decision without an account came through
    review_link_id: Mapped[int | None] = mapped_column(
        ForeignKey("review_links.id", ondelete="SET NULL"), index=True
    )
    comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    fragment: Mapped[Fragment] = relationship()
    approver: Mapped[User | None] = relationship()
    review_link: Mapped[ReviewLink | None] = relationship()

    @property
    def is_reviewer(self) -> bool:
        """A decision by someone without an account, through a reviewer link."""
        return self.approver_id is None and self.reviewer_name is not None

    def who(self) -> str:
        if self.approver is not None:
            return self.approver.name
        return self.reviewer_name or "?"

    def archive_label(self) -> str:
        """The name as the archive copies it: a reviewer's typed name is marked as such, so it can
        never pass for a staff member's approval."""
        if self.is_reviewer:
            return f"{self.who()} {REVIEWER_MARK}"
        return self.who()


#: how the archive marks the typed name of a reviewer without an account
REVIEWER_MARK = "(reviewer via link, no account)"


class ReviewLink(Base):
    """An expiring link that lets one outside reviewer see and judge one fragment."""

    __tablename__ = "review_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: SHA-256 of the token in the link, hex
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    fragment_id: Mapped[int] = mapped_column(
        ForeignKey("fragments.id", ondelete="CASCADE"), index=True
    )
    expires_at: Mapped[datetime]
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    revoked_at: Mapped[datetime | None]
    #: when the reviewer decided; a used link is spent
    used_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    fragment: Mapped[Fragment] = relationship()
    created_by: Mapped[User | None] = relationship()

    def is_open(self, now: datetime) -> bool:
        return self.revoked_at is None and self.used_at is None and now < self.expires_at
