"""Channel kinds by name in the reader's language: the catalogue is pure and names each kind once
(platform names need no translation), so the few descriptive names get their translation here."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from planner.channels.catalogue import ChannelKind, find_kind

_LABELS = {
    "blog": _l("Blog / website"),
    "newsletter": _l("Newsletter (e-mail)"),
    "webhook": _l("Webhook (own systems)"),
}


def kind_label(kind: ChannelKind | str | None) -> str:
    """The kind's name for people: translated where it is a description, else the platform's."""
    if kind is None:
        return ""
    key = kind if isinstance(kind, str) else kind.key
    if key in _LABELS:
        return str(_LABELS[key])
    found = kind if isinstance(kind, ChannelKind) else find_kind(key)
    return found.label if found is not None else key
