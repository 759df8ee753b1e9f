"""Approval pages: approve or send back a fragment from its editor, reviewer links, and the
public page where a reviewer without an account reads one fragment and decides.

Views parse input, make one service call and commit; a refusal is shown on the page with what the
person typed kept, never as a bare error page.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from planner.accounts.guards import current_actor, editor_required
from planner.accounts.models import User
from planner.approval import reviewer_links
from planner.approval import services as approval_services
from planner.approval.forms import (
    ApproveForm,
    RequestChangesForm,
    ReviewerForm,
    ReviewLinkForm,
    seen_version,
)
from planner.errors import (
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    PlannerError,
    ValidationError,
)
from planner.fragments import gate
from planner.fragments import live as fragment_live
from planner.fragments import services as fragment_services
from planner.fragments.models import Fragment, FragmentStatus
from planner.web import runtime
from planner.web.database import db_session
from planner.web.extensions import limiter
from planner.web.forms import ActionForm, csrf_failed, error_message
from planner.web.problems import status_for

bp = Blueprint("approval", __name__)


def approval_panel(fragment: Fragment) -> Markup:
    """The fragment editor's approval panel: steps, decisions, the forms and reviewer links."""
    session = db_session()
    actor = current_actor()
    version = {"version": str(fragment.version)}
    panel = {
        "needed": approval_services.approvals_needed(fragment),
        "approvals": approval_services.current_approvals(session, fragment),
        "decisions": reviewer_links.list_decisions(session, fragment)[:10],
        "links": reviewer_links.list_review_links(session, actor, fragment),
        "is_author": approval_services.is_own_text(session, actor, fragment),
        **_approve_context(session, fragment, with_findings=_may_approve(session, fragment, actor)),
        "changes_form": RequestChangesForm(prefix="changes", formdata=None, data=version),
        "link_form": ReviewLinkForm(prefix="link", formdata=None),
        "now": runtime.now(),
    }
    return Markup(render_template("approval/_approval.html", fragment=fragment, ap=panel))  # noqa: S704 - a rendered template


def _may_approve(session: Session, fragment: Fragment, actor: User) -> bool:
    """Does the panel offer this person the approve form (so it needs the held findings)?"""
    return (
        fragment.status == FragmentStatus.IN_REVIEW
        and approval_services.approvals_needed(fragment) > 0
        and not approval_services.is_own_text(session, actor, fragment)
    )


def _approve_context(
    session: Session,
    fragment: Fragment,
    *,
    with_findings: bool = True,
    posted: ApproveForm | None = None,
) -> dict[str, Any]:
    """The approve form with a reason field per warning that holds the approval back (what was
    typed kept when it comes back refused), and the errors nobody can let stand."""
    held = gate.held_findings(session, fragment, "approve") if with_findings else []
    typed = (
        {(e.field.data, e.check.data, e.match.data): e.reason.data for e in posted.warnings}
        if posted is not None
        else {}
    )
    # The version the approver read: the one shown, or, sent back refused, the one they sent.
    form = ApproveForm(prefix="approve", formdata=None, data={"version": str(fragment.version)})
    if posted is not None:
        form.comment.data = posted.comment.data
        form.version.data = posted.version.data
    warnings = [h for h in held if h.alert.severity == "warning"]
    for h in warnings:
        key = (h.field, h.alert.check, h.alert.match[:500])
        form.warnings.append_entry(
            {"field": key[0], "check": key[1], "match": key[2], "reason": typed.get(key) or ""}
        )
    return {
        "approve_form": form,
        "held_warnings": list(zip(warnings, form.warnings, strict=True)),
        "held_errors": [h for h in held if h.alert.severity == "error"],
    }


def decision_page(
    fragment: Fragment, form: Any, kind: str, message: str, status: int, **extra: Any
) -> tuple[str, int]:
    """A refused decision: the reason, and the same form with what was typed, to send again."""
    return (
        render_template(
            "approval/decision.html",
            fragment=fragment,
            form=form,
            kind=kind,
            refusal=message,
            **extra,
        ),
        status,
    )


def back_to_panel(fragment: Fragment) -> Response:
    return redirect(url_for("fragments.edit", fragment_id=fragment.id) + "#approval")


@bp.post("/fragments/<int:fragment_id>/approve")
@editor_required
def approve(fragment_id: int) -> Response | tuple[str, int]:
    session = db_session()
    actor = current_actor()
    fragment = fragment_services.get_fragment(session, actor, fragment_id)
    form = ApproveForm(prefix="approve")
    if not form.validate_on_submit():
        if csrf_failed(form):
            abort(400)
        return decision_page(fragment, form, "approve", _("Check the comment."), 400)
    reasons = [
        approval_services.WarningReason(
            field=entry.field.data or "",
            check=entry.check.data or "",
            match=entry.match.data or "",
            reason=entry.reason.data or "",
        )
        for entry in form.warnings
    ]
    try:
        approval_services.approve_fragment(
            session,
            actor,
            fragment,
            runtime.now(),
            comment=form.comment.data,
            seen_version=seen_version(form),
            acknowledge=reasons,
        )
    except (ValidationError, ConflictError, PermissionDeniedError) as exc:
        return _refused_approval(session, fragment, form, exc)
    if fragment.status.value == "approved":
        flash(_("The fragment is approved and can be scheduled."), "success")
    else:
        flash(_("Your approval is recorded; a second editor approves next."), "success")
    return back_to_panel(fragment)


def _refused_approval(
    session: Session, fragment: Fragment, form: ApproveForm, exc: PlannerError
) -> tuple[str, int]:
    """The approval page again: the reason in the reader's language and, when the brand gate
    refused, the findings with a reason field for each warning, what was typed kept."""
    if exc.details.get("action") != "approve":
        return decision_page(fragment, form, "approve", _(exc.message), status_for(exc))
    context = _approve_context(session, fragment, posted=form)
    if context["held_errors"]:
        message = _("This fragment cannot be approved yet: fix the errors in the text first.")
    else:
        message = _("Approval is held back by warnings: let each stand with a reason, or fix it.")
    return decision_page(
        fragment,
        context.pop("approve_form"),
        "approve",
        message,
        status_for(exc),
        **context,
    )


@bp.post("/fragments/<int:fragment_id>/request-changes")
@editor_required
def request_changes(fragment_id: int) -> Response | tuple[str, int]:
    session = db_session()
    actor = current_actor()
    fragment = fragment_services.get_fragment(session, actor, fragment_id)
    form = RequestChangesForm(prefix="changes")
    if not form.validate_on_submit():
        if csrf_failed(form):
            abort(400)
        return decision_page(fragment, form, "changes", _("Say what should change."), 400)
    try:
        approval_services.request_changes(
            session,
            actor,
            fragment,
            runtime.now(),
            form.comment.data or "",
            seen_version=seen_version(form),
        )
    except (ValidationError, ConflictError, PermissionDeniedError) as exc:
        return decision_page(fragment, form, "changes", error_message(exc), status_for(exc))
    flash(_("The fragment went back to its author as a draft, with your comment."), "success")
    return back_to_panel(fragment)


@bp.post("/fragments/<int:fragment_id>/review-links")
@editor_required
def create_review_link(fragment_id: int) -> Response | tuple[str, int]:
    session = db_session()
    actor = current_actor()
    fragment = fragment_services.get_fragment(session, actor, fragment_id)
    form = ReviewLinkForm(prefix="link")
    if not form.validate_on_submit():
        if csrf_failed(form):
            abort(400)
        return decision_page(fragment, form, "link", _("A link is valid for 1 to 60 days."), 400)
    try:
        link, token = reviewer_links.create_review_link(
            session,
            actor,
            fragment,
            runtime.now(),
            days=form.days.data or reviewer_links.DEFAULT_VALID_DAYS,
        )
    except (ValidationError, PermissionDeniedError) as exc:
        return decision_page(fragment, form, "link", error_message(exc), status_for(exc))
    url = runtime.base_url() + url_for("approval.review_page", token=token)
    return (
        render_template("approval/review_link.html", fragment=fragment, link=link, url=url),
        201,
    )


@bp.post("/review-links/<int:link_id>/revoke")
@editor_required
def revoke_review_link(link_id: int) -> Response:
    if not ActionForm(prefix="revoke").validate_on_submit():
        abort(400)
    link = reviewer_links.revoke_review_link(db_session(), current_actor(), link_id, runtime.now())
    flash(_("The reviewer link no longer works."), "success")
    return redirect(url_for("fragments.edit", fragment_id=link.fragment_id) + "#approval")


def _review_preview(fragment: Fragment) -> Any:
    return fragment_live.preview_fragment(fragment)


@bp.route("/review/<token>", methods=["GET", "POST"])
@limiter.limit("30/minute", methods=["POST"])
def review_page(token: str) -> Response | tuple[str, int]:
    session = db_session()
    now = runtime.now()
    form = ReviewerForm()
    try:
        link = reviewer_links.open_review_link(session, token, now)
    except (NotFoundError, ConflictError) as exc:
        status = 404 if isinstance(exc, NotFoundError) else 410
        return render_template("approval/review_closed.html", message=error_message(exc)), status
    fragment = link.fragment
    if request.method == "GET":
        form.version.data = str(fragment.version)
    refusal = None
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                if form.decision.data == "approve":
                    reviewer_links.approve_as_reviewer(
                        session,
                        token,
                        form.name.data,
                        now,
                        comment=form.comment.data,
                        seen_version=seen_version(form),
                    )
                    done = _("Thank you: your approval has been recorded.")
                else:
                    reviewer_links.comment_as_reviewer(
                        session,
                        token,
                        form.name.data,
                        form.comment.data,
                        now,
                        seen_version=seen_version(form),
                    )
                    done = _("Thank you: your comment has been sent to the editors.")
            except (ValidationError, ConflictError) as exc:
                refusal = error_message(exc)
                status = 409 if isinstance(exc, ConflictError) else 400
                if "version" in exc.details:
                    # The page shows the text as it is now; the next decision is about that.
                    form.version.data = str(fragment.version)
                if isinstance(exc, ValidationError) and exc.field in ("name", "comment"):
                    getattr(form, exc.field).errors = [error_message(exc)]
            else:
                return render_template(
                    "approval/review_closed.html", message=done, thanks=True
                ), 200
        else:
            if csrf_failed(form):
                refusal = _("The form had expired. Send it again.")
            elif form.version.errors:
                refusal = _("The form was incomplete. Read the text again and send it again.")
            status = 400
    return (
        render_template(
            "approval/review.html",
            fragment=fragment,
            link=link,
            form=form,
            live=_review_preview(fragment),
            refusal=refusal,
            article_html=_article_html(fragment),
        ),
        status,
    )


def _article_html(fragment: Fragment) -> str | None:
    if fragment.kind != "article":
        return None
    from planner.markup import render_markdown

    try:
        return Markup(render_markdown(fragment.body or ""))  # noqa: S704 - sanitised by nh3
    except ValidationError:
        return None
