"""``GET /events``: Server-Sent Events from the change log, for a signed-in session or a bearer
token; ``Last-Event-ID`` (or ``?after=``) resumes. Also the live counts and who has a fragment open.

Each stream reads the log itself, by id, after its process's listener (planner.live.hub) says it
grew; it never holds a database session between reads, so a thousand idle streams cost a thousand
waiting threads and no connections. A stream ends after ``?timeout=`` seconds (five minutes by
default) and the browser's EventSource reconnects with Last-Event-ID, so a worker is never held
for good. Commits may land out of id order (two writers): a stream therefore rereads a short
window below its last id and skips what it already sent, so a late commit is not lost.
"""

from __future__ import annotations

import json
import logging
import time
from collections import deque
from collections.abc import Callable, Iterator
from datetime import datetime

from flask import Blueprint, current_app, jsonify, request
from flask_login import current_user
from sqlalchemy.orm import Session
from werkzeug.exceptions import Unauthorized
from werkzeug.wrappers import Response

from planner.accounts.models import User
from planner.accounts.services import find_token
from planner.db import write_session
from planner.live import services
from planner.live.models import ChangeEvent
from planner.live.runtime import hub
from planner.web import runtime
from planner.web.database import db_session
from planner.web.panels import Slot

bp = Blueprint("live", __name__)
log = logging.getLogger(__name__)

#: live counts by nav endpoint (``inbox.index``: open conversations), contributed by features
COUNTS: Slot[Callable[[Session, User], tuple[str, int] | None]] = Slot("live-counts")

#: a comment line this often keeps proxies and dead-client detection going
KEEPALIVE_SECONDS = 15.0
#: how far below its last id a stream rereads (commits that landed out of order)
REREAD = 50
#: presence is renewed this often while a fragment page is open
PRESENCE_EVERY = 15.0
DEFAULT_TIMEOUT = 300
POLL_SECONDS = 0.5


def _viewer() -> User:
    if current_user.is_authenticated:
        user: User = current_user._get_current_object()
        return user
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        row = find_token(db_session(), header[7:].strip())
        if row is not None:
            return row.user
    raise Unauthorized()


def _format(event: ChangeEvent, viewer_id: int) -> str:
    data = {
        "topic": event.topic,
        "subject_id": event.subject_id,
        "mine": event.actor_id == viewer_id,
        **event.data,
    }
    return f"id: {event.id}\nevent: {event.topic}\ndata: {json.dumps(data)}\n\n"


def _int_arg(raw: str | None) -> int | None:
    return int(raw) if raw is not None and raw.isdigit() and len(raw) < 19 else None


@bp.get("/events")
def events() -> Response:
    viewer = _viewer()
    viewer_id, session = viewer.id, db_session()
    after = _int_arg(request.headers.get("Last-Event-ID")) or _int_arg(request.args.get("after"))
    if after is None:
        after = services.last_event_id(session)  # a new stream starts from now
    fragment_id = _int_arg(request.args.get("fragment"))
    timeout = min(_int_arg(request.args.get("timeout")) or DEFAULT_TIMEOUT, 600)
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    factory = runtime.session_factory(app)
    clock = runtime.clock(app)
    listener = hub(app)

    def presence(leaving: bool = False) -> None:
        if fragment_id is None:
            return
        try:
            _presence(leaving)
        except Exception:  # a fragment that is gone, a locked database: presence is a hint
            log.warning("presence for fragment %s failed", fragment_id, exc_info=True)

    def _presence(leaving: bool) -> None:
        assert fragment_id is not None
        with write_session(factory) as writing:
            user = writing.get(User, viewer_id)
            if user is None:
                return
            if leaving:
                services.leave(writing, user, fragment_id, clock.now())
            else:
                services.present(writing, user, fragment_id, clock.now())

    def stream() -> Iterator[str]:
        last = after
        sent: deque[int] = deque(maxlen=4 * REREAD)
        ends = time.monotonic() + timeout
        renewed = 0.0
        yield "retry: 2000\n\n"
        try:
            while time.monotonic() < ends:
                if fragment_id is not None and time.monotonic() - renewed > PRESENCE_EVERY:
                    presence()
                    renewed = time.monotonic()
                with factory() as reading:
                    # Never below where the stream started: those the client had.
                    lower = max(after, last - REREAD)
                    found = services.changes_after(reading, viewer_id, lower)
                    lines = [(e.id, _format(e, viewer_id)) for e in found if e.id not in sent]
                for event_id, line in lines:
                    sent.append(event_id)
                    last = max(last, event_id)
                    yield line
                waited = time.monotonic()
                if listener is not None:
                    listener.wait(last, KEEPALIVE_SECONDS)
                else:
                    time.sleep(POLL_SECONDS)
                if time.monotonic() - waited >= KEEPALIVE_SECONDS - 0.1:
                    yield ": keepalive\n\n"
        finally:
            presence(leaving=True)

    # The request's session is closed at teardown, before the first byte of the stream: nothing
    # of this request stays open while it runs.
    return Response(
        stream(),
        mimetype="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


@bp.get("/events/counts")
def counts() -> Response:
    """The live counts (nav badges and the bell) for the signed-in person."""
    viewer = _viewer()
    session = db_session()
    found = {}
    for contributor in COUNTS.contributors():
        counted = contributor(session, viewer)
        if counted is not None:
            found[counted[0]] = counted[1]
    return jsonify(found)


@bp.get("/events/presence/<int:fragment_id>")
def presence(fragment_id: int) -> Response:
    """Who else has this fragment open now."""
    viewer = _viewer()
    now: datetime = runtime.now()
    return jsonify({"others": services.others_present(db_session(), viewer.id, fragment_id, now)})
