"""What the organisation adds to the starter style: its term list, imported Vale style packages,
acknowledged warnings, and one stamp that changes whenever the active configuration does.

Rule files live in the database (not on a shared disk) so every web process and the scheduler see
the same configuration; the stamp lets each process keep its compiled copy until it changes.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from planner.accounts.models import User
from planner.db import Base, utcnow


class BrandSettings(Base):
    """A single row whose stamp changes on every change to terms or style packages.

    A random stamp rather than a counter: a rolled-back change must never be mistaken for the
    next one by a process that cached the configuration in between.
    """

    __tablename__ = "brand_settings"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    stamp: Mapped[str] = mapped_column(String(32))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class Term(Base):
    """A word the organisation cares about: the preferred form and the variants it forbids."""

    __tablename__ = "brand_terms"

    id: Mapped[int] = mapped_column(primary_key=True)
    term: Mapped[str] = mapped_column(String(100), unique=True)
    #: the form to write; the term itself when empty
    preferred: Mapped[str] = mapped_column(String(100))
    #: variants that become a substitution rule towards `preferred`
    forbidden: Mapped[list[str]] = mapped_column(JSON, default=list)
    note: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    created_by: Mapped[User | None] = relationship()


class StylePackage(Base):
    """An imported Vale style package: its files as text, and the report of the import."""

    __tablename__ = "brand_style_packages"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    #: normalised path ("Style/Rule.yml", "Style/examples/Rule.yml",
    #: "config/vocabularies/Name/accept.txt") -> file text
    files: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    #: the import report as shown on the page (planner.brand.importing.PackageReport.to_json)
    report: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: check names whose examples failed: loaded but switched off
    inactive_rules: Mapped[list[str]] = mapped_column(JSON, default=list)
    is_active: Mapped[bool] = mapped_column(default=True)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)

    uploaded_by: Mapped[User | None] = relationship()
