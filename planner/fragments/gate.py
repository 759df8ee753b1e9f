"""The brand gate: every finding on a fragment, and which of them hold it back from a transition.

Errors block submitting, approving and scheduling. Warnings may go to review (the reviewer sees
them) but block approval and scheduling until an editor acknowledges them with a reason; an
acknowledgement names (part, check, match) and lapses when that match leaves the text. The editor,
the approval and planning services and the API all ask here, so they refuse the same fragment for
the same reasons.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, object_session

from planner.accounts.models import Role, User
from planner.accounts.permissions import require_role
from planner.audit.services import record_event
from planner.brand import services as brand_services
from planner.brand.channel_checks import ChannelCheckSettings, check_for_channel
from planner.brand.engine import Alert, LoadedConfig
from planner.brand.messages import in_language
from planner.errors import ConflictError, ValidationError
from planner.fragments.models import Fragment, WarningAcknowledgement, article_text
from planner.organisation.services import own_domains
from planner.stories.models import Photo

MAX_REASON = 1000


AckKey = tuple[str, str, str]


def acknowledgements(session: Session, fragment: Fragment) -> dict[AckKey, WarningAcknowledgement]:
    """The fragment's acknowledgements by (field, check, match); the latest wins."""
    rows = session.scalars(
        select(WarningAcknowledgement)
        .where(WarningAcknowledgement.fragment_id == fragment.id)
        .order_by(WarningAcknowledgement.acknowledged_at, WarningAcknowledgement.id)
    )
    return {(r.field, r.check, r.match): r for r in rows}


def acknowledge_warning(
    session: Session,
    actor: User | None,
    fragment: Fragment,
    *,
    field: str,
    check: str,
    match: str,
    reason: str,
    now: datetime,
) -> WarningAcknowledgement:
    """Let a warning stand, with a reason; only a warning present in the saved text qualifies."""

    actor = require_role(actor, Role.EDITOR)
    clean = (reason or "").strip()
    if not clean:
        raise ValidationError("Give a reason for letting this warning stand.", field="reason")
    if len(clean) > MAX_REASON:
        raise ValidationError("The reason is too long (1000 characters at most).", field="reason")
    present = [
        alert
        for found in check_fragment_parts(fragment)
        if found.field == field
        for alert in found.alerts
        if alert.check == check and alert.match == match
    ]
    if not present:
        raise ValidationError(
            "This warning is not in the saved text. Save the fragment first.", field="reason"
        )
    if all(alert.severity != "warning" for alert in present):
        raise ValidationError("Only warnings can be acknowledged; fix errors.", field="reason")
    row = WarningAcknowledgement(
        fragment_id=fragment.id,
        field=field,
        check=check,
        match=match[:500],
        reason=clean,
        fragment_version=fragment.version,
        acknowledged_by=actor,
        acknowledged_at=now,
    )
    session.add(row)
    session.flush()
    record_event(
        session,
        actor,
        "fragment.acknowledge_warning",
        fragment,
        check=check,
        match=match,
        field=field,
        version=fragment.version,
        reason=clean,
    )
    return row


def brand_config(language: str, session: Session | None = None) -> LoadedConfig:
    """The configuration checks run against: with a session, the organisation's active one
    (starter style + imported packages + term list, cached by the stamp that changes on every
    import or edit); without one, the starter style alone."""
    if session is None:
        return brand_services.starter_config(language)
    return brand_services.active_config(session, language)


def check_settings(
    session: Session | None, *, sponsored: bool = False, language: str = "nl"
) -> ChannelCheckSettings:
    """The channel checks' settings for this organisation: its own domains (links there need UTM
    parameters), whether the text is sponsored (then it needs a disclosure), and the language
    the findings speak (the text's)."""
    domains = own_domains(session) if session is not None else ()
    return ChannelCheckSettings(own_domains=domains, sponsored=sponsored, language=language)


def check_draft(
    text: str,
    channel_kind: str | None,
    language: str = "nl",
    *,
    markdown: bool = False,
    session: Session | None = None,
    sponsored: bool = False,
    settings: ChannelCheckSettings | None = None,
) -> list[Alert]:
    """Brand and channel findings for a text being typed; pure apart from the cached style and
    the organisation's domains (read once per call unless ``settings`` are given)."""
    config = brand_config(language, session)
    chosen = settings or check_settings(session, sponsored=sponsored, language=language)
    alerts = check_for_channel(
        text, channel_kind, markdown=markdown, config=config, settings=chosen
    )
    return in_language(alerts, language)


@dataclass(frozen=True, slots=True)
class PartFindings:
    """The findings for one editable text of a fragment, with offsets into that text."""

    #: "part-0", "part-1", ... for posts and threads; "body" for an article; "brief" for video
    field: str
    text: str
    alerts: list[Alert]


def check_fragment_parts(fragment: Fragment) -> list[PartFindings]:
    return check_texts(fragment) + _check_photos(fragment)


def check_texts(
    fragment: Fragment,
    *,
    parts: Sequence[str] | None = None,
    title: str | None = None,
    lead: str | None = None,
    body: str | None = None,
    sponsored: bool | None = None,
) -> list[PartFindings]:
    """The one check of a fragment's texts, for the gate, the API and the editor alike.

    Without arguments it checks the stored text; the editor passes what is typed (None keeps the
    stored value, the sponsored flag included). An article is checked as its reader meets it:
    title, lead and body together, under the field "body", so the editor shows the same findings
    the gate refuses on.
    """
    language = fragment.story.language
    kind = fragment.channel.kind_key
    session = object_session(fragment)
    # the disclosure belongs at the start: the first text carries it, not every post of a thread
    first = check_settings(
        session,
        sponsored=fragment.is_sponsored if sponsored is None else sponsored,
        language=language,
    )
    rest = replace(first, sponsored=False)
    if fragment.kind == "article":
        text = article_text(
            fragment.title if title is None else title,
            fragment.lead if lead is None else lead,
            fragment.body if body is None else body,
        )
        alerts = check_draft(text, kind, language, markdown=True, session=session, settings=first)
        return [PartFindings("body", text, alerts)]
    if fragment.kind == "video_brief":
        text = fragment.text()
        alerts = check_draft(text, None, language, session=session, settings=first)
        return [PartFindings("brief", text, alerts)]
    return [
        PartFindings(
            f"part-{i}",
            part,
            check_draft(part, kind, language, session=session, settings=rest if i else first),
        )
        for i, part in enumerate(fragment.parts if parts is None else parts)
    ]


#: the check name of the photo rule, next to the brand engine's Vale-style names
PHOTO_ALT_CHECK = "Channel.PhotoAltText"


PHOTO_ALT_MESSAGE = {"nl": "Foto zonder alt-tekst", "en": "Photo without alt text"}


def fragment_photos(fragment: Fragment) -> list[Photo]:
    """The chosen photos that still belong to the story, in the chosen order."""
    by_id = {photo.id: photo for photo in fragment.story.photos}
    return [by_id[photo_id] for photo_id in fragment.photo_ids or () if photo_id in by_id]


def _check_photos(fragment: Fragment) -> list[PartFindings]:
    """Every image needs a description before it goes out (house style, WCAG): an error."""
    alerts = [
        Alert(
            check=PHOTO_ALT_CHECK,
            severity="error",
            line=1,
            span=(1, 1),
            match="",
            message=PHOTO_ALT_MESSAGE.get(fragment.story.language, PHOTO_ALT_MESSAGE["en"]),
            description=f"photo {photo.id}",
        )
        for photo in fragment_photos(fragment)
        if not photo.has_alt_text
    ]
    return [PartFindings("photos", "", alerts)] if alerts else []


def check_fragment(session: Session, fragment: Fragment) -> list[Alert]:
    """Every finding on the fragment as it is stored now."""
    return [alert for found in check_fragment_parts(fragment) for alert in found.alerts]


def blocking(alerts: Sequence[Alert]) -> list[Alert]:
    return [alert for alert in alerts if alert.severity == "error"]


#: The gate policy. Errors block every transition. Warnings may go to review (the reviewer
#: sees them), but block approval and scheduling until someone acknowledges them with a reason.
#: Suggestions only inform. An acknowledgement names (part, check, match): it lapses when the
#: text no longer contains that match.
WARNINGS_BLOCK = frozenset({"approve", "schedule"})


@dataclass(frozen=True, slots=True)
class HeldFinding:
    """A finding that holds a fragment back, with the text it is in (what an acknowledgement
    names)."""

    field: str
    alert: Alert


def held_findings(
    session: Session,
    fragment: Fragment,
    action: str = "submit",
    *,
    letting_stand: Collection[AckKey] = (),
) -> list[HeldFinding]:
    """The findings that hold a fragment back from `action` ("submit", "approve", "schedule"),
    each with its field, so a page can offer to acknowledge the warnings among them.

    ``letting_stand`` names warnings about to be acknowledged (field, check, match): they count
    as acknowledged, so a caller can ask before it writes anything.
    """
    held: list[HeldFinding] = []
    acknowledged = set(acknowledgements(session, fragment)) | set(letting_stand)
    for found in check_fragment_parts(fragment):
        for alert in found.alerts:
            unacknowledged = (found.field, alert.check, alert.match[:500]) not in acknowledged
            if alert.severity == "error" or (
                alert.severity == "warning" and action in WARNINGS_BLOCK and unacknowledged
            ):
                held.append(HeldFinding(found.field, alert))
    return held


def gate_alerts(session: Session, fragment: Fragment, action: str = "submit") -> list[Alert]:
    """The findings that hold a fragment back from `action` ("submit", "approve", "schedule")."""
    return [held.alert for held in held_findings(session, fragment, action)]


def require_gate_clear(
    session: Session,
    fragment: Fragment,
    action: str,
    *,
    letting_stand: Collection[AckKey] = (),
) -> None:
    """The brand gate, shared by every transition: refuse with the findings that stand in the way.

    ``action`` names the transition ("submit", "approve", "schedule") for the message and the audit.
    """
    held = [
        found.alert
        for found in held_findings(session, fragment, action, letting_stand=letting_stand)
    ]
    if held:
        lead = (
            "Fix these findings first: "
            if any(a.severity == "error" for a in held)
            else "Fix or acknowledge these warnings first: "
        )
        said = " ".join(alert.message for alert in held)
        refusal = ConflictError(
            lead + said,
            action=action,
            findings=[
                {"check": a.check, "severity": a.severity, "message": a.message, "match": a.match}
                for a in held
            ],
        )
        # pages say the lead in the reader's language (the findings speak the text's)
        refusal.template = lead + "%(findings)s"
        refusal.params = {"findings": said}
        raise refusal
