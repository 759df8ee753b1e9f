"""A published fragment in its editor: where it went out (a link to each live post), and the
corrections a newsroom makes afterwards.

A blog post is corrected in place (planner.blog adds that page); on every other channel a post
cannot be changed once it is out, so a correction is a new fragment that names the original and
goes through review like any other.
"""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import select
from werkzeug.wrappers import Response

from planner.accounts.guards import current_actor, editor_required
from planner.errors import ConflictError
from planner.fragments import corrections as fragment_corrections
from planner.fragments import services as fragment_services
from planner.fragments.models import Fragment, FragmentStatus
from planner.publishing.models import Delivery, DeliveryState
from planner.publishing.views import bp
from planner.web.database import db_session, discard
from planner.web.forms import ActionForm


def sent_deliveries(fragment: Fragment) -> list[Delivery]:
    """The deliveries of a fragment that went out, newest first."""
    return list(
        db_session().scalars(
            select(Delivery)
            .where(Delivery.fragment_id == fragment.id, Delivery.state == DeliveryState.SENT)
            .order_by(Delivery.sent_at.desc(), Delivery.id.desc())
        )
    )


def published_panel(fragment: Fragment) -> Markup | None:
    """On a published fragment's editor: the live posts and the ways to correct them."""
    if fragment.status != FragmentStatus.PUBLISHED and fragment.corrects is None:
        return None
    actor = current_actor()
    sent = sent_deliveries(fragment) if fragment.status == FragmentStatus.PUBLISHED else []
    return Markup(  # noqa: S704 - a rendered template
        render_template(
            "publishing/_published.html",
            fragment=fragment,
            sent=sent,
            corrections=fragment_corrections.list_corrections(db_session(), actor, fragment),
            in_place="blog.correct_post" in current_app.view_functions
            and fragment.channel.kind_key == "blog"
            and fragment.kind == "article",
            action_form=ActionForm(),
        )
    )


@bp.post("/fragments/<int:fragment_id>/correction")
@editor_required
def make_correction(fragment_id: int) -> Response:
    """Start a correction of a published post: a draft on the same channel, linked to it."""
    session = db_session()
    actor = current_actor()
    original = fragment_services.get_fragment(session, actor, fragment_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    live = next((d.remote_url for d in sent_deliveries(original) if d.remote_url), None)
    try:
        correction = fragment_corrections.make_correction(session, actor, original, link=live)
    except ConflictError as exc:
        discard()
        flash(_(exc.message), "error")
        return redirect(url_for("fragments.edit", fragment_id=original.id))
    flash(_("A correction has been drafted; say what was wrong and what is right."), "success")
    return redirect(url_for("fragments.edit", fragment_id=correction.id))
