"""The form a person chooses which notifications also come by e-mail with."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectMultipleField, widgets

from planner.notifications.models import NotificationKind


def kind_labels() -> dict[str, object]:
    return {
        NotificationKind.REVIEW_REQUESTED.value: _l("A review is requested from you"),
        NotificationKind.INBOX_ASSIGNED.value: _l("An inbox item is assigned to you"),
        NotificationKind.MENTION.value: _l("Someone mentions you in a comment"),
        NotificationKind.DELIVERY_FAILED.value: _l("A delivery failed"),
        NotificationKind.RESPONSE_DUE.value: _l("A response time is about to be breached"),
        NotificationKind.CHANNEL_RECONNECT.value: _l("A channel must be connected again"),
    }


class EmailChoiceForm(FlaskForm):
    kinds = SelectMultipleField(
        _l("Also by e-mail"),
        choices=[],
        widget=widgets.ListWidget(prefix_label=False),
        option_widget=widgets.CheckboxInput(),
    )
