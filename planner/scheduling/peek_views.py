"""A look at one post from the calendar without leaving it: the channel's preview, the photo,
status, delivery and approvals, with links to the fragment and to its schedule form.

The calendar fetches the partial into a dialog when an event is clicked (static/js/calendar.js,
header ``X-Peek: 1``); opened on its own (a new tab) it is a plain page with the same content.
"""

from __future__ import annotations

from flask import render_template, request

from planner.accounts.guards import current_actor, editor_required
from planner.scheduling.forms import delivery_labels
from planner.scheduling.peek import peek_fragment
from planner.scheduling.views import bp
from planner.web.database import db_session


@bp.get("/calendar/fragments/<int:fragment_id>/peek")
@editor_required
def peek(fragment_id: int) -> str:
    look = peek_fragment(db_session(), current_actor(), fragment_id)
    partial = request.headers.get("X-Peek") == "1"
    return render_template(
        "scheduling/_peek.html" if partial else "scheduling/peek.html",
        look=look,
        fragment=look.fragment,
        delivery_labels=delivery_labels(),
    )
