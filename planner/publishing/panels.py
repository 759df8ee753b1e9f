"""What publishing puts on the dashboard: deliveries that need a person."""

from __future__ import annotations

from datetime import datetime

from flask import url_for
from flask_babel import format_datetime, ngettext
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from planner.accounts.models import Role, User
from planner.home.dashboard import Panel
from planner.publishing import connections, deliveries, withdrawal


def attention_panel(session: Session, actor: User, now: datetime) -> Panel | None:
    """Deliveries that went wrong or wait to be posted by hand; editors only."""
    if not actor.has_role(Role.EDITOR):
        return None
    labels = {
        "failed": _("Failed"),
        "missed": _("Missed"),
        "needs_check": _("Needs checking"),
    }
    items = []
    for r in connections.needing_reconnect(session):
        label = (
            ngettext(
                "Reconnect %(channel)s: %(num)d post is waiting",
                "Reconnect %(channel)s: %(num)d posts are waiting",
                r.waiting,
                channel=r.channel.name,
            )
            if r.waiting
            else _("Reconnect %(channel)s", channel=r.channel.name)
        )
        target = (
            url_for("publishing.channel_publishing", channel_id=r.channel.id) + "#connection"
            if actor.has_role(Role.ADMIN)
            else url_for("publishing.attention") + "#reconnect"
        )
        items.append((label, target))
    for t in withdrawal.list_takedowns(session, actor)[:8]:
        label = _(
            "Take this down: %(title)s · %(channel)s",
            title=t.story_title,
            channel=t.publication.channel_name,
        )
        items.append((label, f"{url_for('publishing.attention')}#takedown-{t.publication.id}"))
    for d in deliveries.list_attention(session, actor, now)[: max(0, 8 - len(items))]:
        state = labels.get(d.state.value, _("Overdue, post by hand"))
        label = f"{state}: {d.fragment.story.title} · {d.channel.name} · "
        label += format_datetime(d.due_at, "short")
        target = (
            url_for("publishing.by_hand")
            if d.state.value in ("pending", "retrying")
            else url_for("publishing.attention")
        )
        items.append((label, f"{target}#delivery-{d.id}"))
    return Panel(
        title=_("Deliveries that need you"),
        items=items,
        empty=_("Nothing needs you: every delivery is on track."),
        link=(_("Retry, mark as posted or cancel"), url_for("publishing.attention")),
    )
