"""The page where an editor corrects a published blog post in place.

The post keeps its address; the text changes and the post says when and what was corrected. The
public pages of the blog (planner.blog.views) need no sign-in; this one is for editors.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from planner.accounts.guards import current_actor, editor_required
from planner.blog import services as blog
from planner.blog.forms import CorrectionForm
from planner.blog.views import bp
from planner.errors import ConflictError, NotFoundError, ValidationError
from planner.fragments import services as fragment_services
from planner.web import runtime
from planner.web.database import db_session


@bp.route("/fragments/<int:fragment_id>/correct-post", methods=["GET", "POST"])
@editor_required
def correct_post(fragment_id: int) -> str | Response | tuple[str, int]:
    session = db_session()
    actor = current_actor()
    fragment = fragment_services.get_fragment(session, actor, fragment_id)
    post = blog.post_of(session, fragment)
    if post is None:
        raise NotFoundError("This fragment has no post on the blog.")
    reading = request.method == "GET"
    form = CorrectionForm(formdata=None, obj=fragment) if reading else CorrectionForm()
    status = 200
    if form.validate_on_submit():
        try:
            blog.correct_post(
                session,
                actor,
                fragment,
                title=form.title.data,
                lead=form.lead.data,
                body=form.body.data,
                note=form.note.data,
                now=runtime.now(),
            )
        except (ValidationError, ConflictError) as exc:
            form.form_errors.append(_(exc.message))
            status = 409 if isinstance(exc, ConflictError) else 422
        else:
            flash(_("The blog post is updated; it says when and what was corrected."), "success")
            return redirect(url_for("fragments.edit", fragment_id=fragment.id) + "#published")
    elif not reading:
        status = 422
    page = render_template("blog/correct.html", form=form, fragment=fragment, post=post)
    return page, status
