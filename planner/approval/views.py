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
from werkzeug.wrappers import Response

from planner.accounts.guards import current_actor, editor_required
from planner.approval import reviewer_links
from planner.approval import services as approval_services
from planner.approval.forms import (
    ApproveForm,
    RequestChangesForm,
    ReviewerForm,
    ReviewLinkForm,
    seen_version,
)
from planner.errors import ConflictError, NotFoundError, PermissionDeniedError, ValidationError
from planner.fragments import services as fragment_services
from planner.fragments.models import Fragment
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
        "approve_form": ApproveForm(prefix="approve", formdata=None, data=version),
        "changes_form": RequestChangesForm(prefix="changes", formdata=None, data=version),
        "link_form": ReviewLinkForm(prefix="link", formdata=None),
        "now": runtime.now(),
    }
    return Markup(render_template("approval/_approval.html", fragment=fragment, ap=panel))  # noqa: S704 - a rendered template


def decision_page(
    fragment: Fragment, form: Any, kind: str, message: str, status: int
) -> tuple[str, int]:
    """A refused decision: the reason, and the same form with what was typed, to send again."""
    return (
        render_template(
            "approval/decision.html",
            fragment=fragment,
            form=form,
            kind=kind,
            refusal=message,
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
    try:
        approval_services.approve_fragment(
            session,
            actor,
            fragment,
            runtime.now(),
            comment=form.comment.data,
            seen_version=seen_version(form),
        )
    except (ValidationError, ConflictError, PermissionDeniedError) as exc:
        return decision_page(fragment, form, "approve", error_message(exc), status_for(exc))
    if fragment.status.value == "approved":
        flash(_("The fragment is approved and can be scheduled."), "success")
    else:
        flash(_("Your approval is recorded; a second editor approves next."), "success")
    return back_to_panel(fragment)


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
    return fragment_services.preview_fragment(fragment)


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
