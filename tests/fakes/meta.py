"""Fake Meta Graph API hosts: a Facebook Page, an Instagram professional account, a Threads
profile.

Shared: the version prefix (/v21.0, /v1.0), parameters as query or form fields, the error
envelope {"error": {"message", "type", "code", "error_subcode", "fbtrace_id"}} with code 190 /
subcode 463 for an expired token (developers.facebook.com/docs/graph-api/guides/error-handling),
and the X-App-Usage header on answers (.../graph-api/overview/rate-limiting; throttling is
code 4/17/32/80001/80002 with X-Business-Use-Case-Usage carrying
estimated_time_to_regain_access in minutes). Edges that list posts page by cursor
(graph-api/results): `limit` (default 25; at most 100 here), `after` naming the last item of the
page before, and paging {"cursors": {"before", "after"}, "previous", "next"} with `next` left
out on the last page.

Facebook Pages: POST /{page-id}/feed (message, link, attached_media[n]={"media_fbid": id}),
POST /{page-id}/photos (multipart source, caption, published, alt_text_custom; a published photo
answers {"id", "post_id"}), GET /{page-id}/published_posts; a repeated message is refused with
code 506 "Duplicate status message" (docs/pages-api/posts, graph-api/reference/page/photos).

Instagram (docs/instagram-platform/content-publishing, reference/ig-container): POST
/{ig-user-id}/media with image_url, caption, alt_text, is_carousel_item, or media_type=CAROUSEL
with children; the image is fetched from image_url (JPEG only, aspect 4:5 to 1.91:1, 8 MB);
With `crawl` on, the image_url is downloaded over HTTP when the container is created, as the
platform's servers fetch it ("Meta will cURL the image at the URL"),
so tests can serve it from the application's own public media route.
GET /{container}?fields=status_code answers IN_PROGRESS while processing, then FINISHED, or
ERROR / EXPIRED; POST /{ig-user-id}/media_publish?creation_id= publishes a FINISHED container
once (then PUBLISHED); GET /{ig-user-id}/media lists the account's media newest first.

Threads (docs/threads/posts, reference/publishing, retrieve-and-manage-replies): POST
/{user}/threads with media_type TEXT|IMAGE|CAROUSEL, text, image_url, alt_text, reply_to_id,
children; GET /{container}?fields=status (IN_PROGRESS, FINISHED, ERROR, EXPIRED, PUBLISHED);
POST /{user}/threads_publish; GET /{user}/threads and /{user}/replies, newest first, paged by
cursor with only paging.cursors {before, after} in the answer, as the Threads reference shows it
(threads-media); 500 characters.
"""

from __future__ import annotations

import base64
import io
import itertools
import json
import re
import urllib.error
import urllib.request
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from PIL import Image

from tests.fakes.server import FakeApp, Reply, Request, json_reply

_VERSION = re.compile(r"^/v\d+\.\d+")


def graph_error(code: int, message: str, *, subcode: int | None = None, status: int = 400) -> Reply:
    error: dict[str, Any] = {
        "message": message,
        "type": "OAuthException",
        "code": code,
        "fbtrace_id": "AbCdEfGh123",
    }
    if subcode is not None:
        error["error_subcode"] = subcode
    return json_reply(status, {"error": error})


def _now(at: datetime | None = None) -> str:
    return (at or datetime.now(UTC)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")


def _cursor(item_id: str) -> str:
    return base64.b64encode(item_id.encode()).decode()


def _newest_first(items: list[dict[str, Any]], time_field: str) -> list[dict[str, Any]]:
    """Newest first; items from one second keep their order of arrival, newest first."""
    arrived = sorted(enumerate(items), key=lambda pair: (pair[1][time_field], pair[0]))
    return [item for _, item in reversed(arrived)]


class GraphFake(FakeApp):
    token = "graph-token"

    def __init__(self, token_check: Callable[[str | None], bool] | None = None) -> None:
        super().__init__()
        self.token_check = token_check or (lambda token: token == self.token)
        self.ids = itertools.count(17900000000000001)
        #: image_url -> bytes, what the platform's crawler would download
        self.web: dict[str, bytes] = {}
        #: download every image_url over HTTP instead (127.0.0.1 only: tests and benches)
        self.crawl = False
        #: polls a container stays IN_PROGRESS
        self.processing_polls = 1
        self.containers: dict[str, dict[str, Any]] = {}

    def handle(self, request: Request) -> Reply:
        if not self.token_check(request.bearer()):
            return graph_error(
                190,
                "Error validating access token: Session has expired on Thursday.",
                subcode=463,
            )
        if self.crawl and request.method == "POST":
            self._download(request.params().get("image_url"))
        path = _VERSION.sub("", request.path)
        with self.lock:
            reply = self.route(request.method, path.strip("/").split("/"), request)
        reply.headers.setdefault(
            "X-App-Usage", json.dumps({"call_count": 3, "total_cputime": 1, "total_time": 2})
        )
        return reply

    def route(self, method: str, segments: list[str], request: Request) -> Reply:
        raise NotImplementedError

    def new_id(self) -> str:
        return str(next(self.ids))

    def page(self, request: Request, items: list[dict[str, Any]], *, links: bool = True) -> Reply:
        """One page of a cursor-paged edge. With `links` the answer carries previous/next URLs
        besides the cursors (Graph), without only the cursors (the Threads reference)."""
        params = request.params()
        limit = min(int(params.get("limit", "25")), 100)
        begin = 0
        if "after" in params:
            ids = [item["id"] for item in items]
            try:
                anchor = base64.b64decode(params["after"], validate=True).decode()
            except ValueError:
                anchor = ""
            if anchor not in ids:
                return graph_error(100, "Invalid parameter: after is not a valid cursor")
            begin = ids.index(anchor) + 1
        page = items[begin : begin + limit]
        document: dict[str, Any] = {"data": page}
        if page:
            paging: dict[str, Any] = {
                "cursors": {"before": _cursor(page[0]["id"]), "after": _cursor(page[-1]["id"])}
            }
            kept = {k: v for k, v in params.items() if k not in ("after", "before")}
            if links and begin > 0:
                before = urlencode({**kept, "limit": limit, "before": paging["cursors"]["before"]})
                paging["previous"] = f"{self.url}{request.path}?{before}"
            if links and begin + limit < len(items):
                after = urlencode({**kept, "limit": limit, "after": paging["cursors"]["after"]})
                paging["next"] = f"{self.url}{request.path}?{after}"
            document["paging"] = paging
        return json_reply(200, document)

    def _download(self, url: str | None) -> None:
        """Fetch an image the way the platform does, for every container and outside the lock
        (it takes a while)."""
        if not url or not url.startswith("http://127.0.0.1:"):
            return
        try:
            with urllib.request.urlopen(url, timeout=10) as answer:
                data = answer.read()
        except (urllib.error.URLError, OSError):
            return  # then fetch_problem reports the failed download, as the platform does
        with self.lock:
            self.web[url] = data

    # -- containers (Instagram, Threads) -------------------------------------------------------

    def fetch_problem(
        self, url: str, formats: tuple[str, ...], aspect: tuple[float, float]
    ) -> str | None:
        data = self.web.get(url)
        if data is None:
            return "Media download has failed: the image_url could not be fetched"
        try:
            with Image.open(io.BytesIO(data)) as picture:
                kind, (width, height) = picture.format, picture.size
        except OSError:
            return "The image format is not supported"
        if kind not in formats:
            return f"Only {', '.join(formats)} images are supported"
        ratio = width / height
        if not aspect[0] * 0.995 <= ratio <= aspect[1] * 1.005:
            return "The aspect ratio is not supported"
        return None

    def container(self, fields: dict[str, Any], problem: str | None) -> str:
        container_id = self.new_id()
        self.containers[container_id] = {
            "id": container_id,
            "fields": fields,
            "polls": 0,
            "state": "ERROR" if problem else "IN_PROGRESS",
            "problem": problem,
        }
        return container_id

    def container_status(self, container_id: str, field: str) -> Reply:
        stored = self.containers.get(container_id)
        if stored is None:
            return graph_error(100, f"Unsupported get request. Object {container_id} not found")
        if stored["state"] == "IN_PROGRESS":
            stored["polls"] += 1
            if stored["polls"] > self.processing_polls:
                stored["state"] = "FINISHED"
        document: dict[str, Any] = {"id": container_id, field: stored["state"]}
        if stored["state"] == "ERROR":
            document["status"] = f"ERROR: {stored['problem']}"
            document["error_message"] = stored["problem"]
        return json_reply(200, document)

    def expire_containers(self) -> None:
        with self.lock:
            for stored in self.containers.values():
                if stored["state"] in ("IN_PROGRESS", "FINISHED"):
                    stored["state"] = "EXPIRED"


class FakeFacebookPage(GraphFake):
    page_id = "104000000000001"
    page_name = "Gemeente Zuiderhaven"

    def __init__(
        self, *, user_token_check: Callable[[str | None], bool] | None = None, **options: Any
    ) -> None:
        super().__init__(**options)
        self.posts: list[dict[str, Any]] = []
        self.photos: dict[str, dict[str, Any]] = {}
        #: who may read the Page's token: a person with a role on the Page (pages-api/overview)
        self.user_token_check = user_token_check or (lambda _token: False)

    def handle(self, request: Request) -> Reply:
        # GET /{page-id}?fields=access_token with a user token that has a role on the Page
        # answers the Page's own token (docs/pages-api/getting-started).
        path = _VERSION.sub("", request.path).strip("/")
        if request.method == "GET" and path == self.page_id:
            if not self.user_token_check(request.bearer()):
                return graph_error(190, "Invalid OAuth access token.")
            document = {"id": self.page_id, "name": self.page_name}
            if "access_token" in request.query.get("fields", ""):
                document["access_token"] = self.token
            return json_reply(200, document)
        return super().handle(request)

    def route(self, method: str, segments: list[str], request: Request) -> Reply:
        if segments[0] != self.page_id or len(segments) != 2:
            return graph_error(100, "Unsupported request")
        edge = segments[1]
        if method == "POST" and edge == "photos":
            return self._photo(request)
        if method == "POST" and edge == "feed":
            return self._feed(request.params())
        if method == "GET" and edge == "published_posts":
            data = [
                {k: post[k] for k in ("id", "message", "created_time", "permalink_url")}
                for post in _newest_first(self.posts, "created_time")
            ]
            return self.page(request, data)
        return graph_error(100, "Unsupported request")

    def add_post(self, message: str, *, at: datetime, **extra: Any) -> dict[str, Any]:
        """Store a post as if it had been published at `at` (tests seed a Page's history)."""
        post_id = f"{self.page_id}_{self.new_id()}"
        post = {
            "id": post_id,
            "message": message,
            "created_time": _now(at),
            "permalink_url": f"https://www.facebook.com/{post_id}",
            **extra,
        }
        self.posts.append(post)
        return post

    def _post(self, message: str, **extra: Any) -> dict[str, Any]:
        post = self.add_post(message, at=datetime.now(UTC), **extra)
        self.record_published(message, post["id"])
        return post

    def _duplicate(self, message: str) -> bool:
        return bool(message) and any(post["message"] == message for post in self.posts)

    def _photo(self, request: Request) -> Reply:
        fields = {k: v.decode() for k, v in request.multipart().items() if k != "source"}
        data = request.multipart().get("source", b"")
        if not data:
            return graph_error(324, "Requires upload file")
        photo_id = self.new_id()
        self.photos[photo_id] = {
            "id": photo_id,
            "size": len(data),
            "alt_text_custom": fields.get("alt_text_custom"),
            "published": fields.get("published", "true") == "true",
        }
        if not self.photos[photo_id]["published"]:
            return json_reply(200, {"id": photo_id})
        caption = fields.get("caption", "")
        if self._duplicate(caption):
            return graph_error(506, "Duplicate status message")
        post = self._post(caption, photos=[photo_id])
        return json_reply(200, {"id": photo_id, "post_id": post["id"]})

    def _feed(self, params: dict[str, str]) -> Reply:
        message = params.get("message", "")
        attached = []
        for key in sorted(k for k in params if k.startswith("attached_media[")):
            media_fbid = json.loads(params[key])["media_fbid"]
            photo = self.photos.get(media_fbid)
            if photo is None or photo["published"]:
                return graph_error(100, "Invalid parameter: attached_media")
            attached.append(media_fbid)
        if self._duplicate(message):
            return graph_error(506, "Duplicate status message")
        post = self._post(message, link=params.get("link"), photos=attached)
        return json_reply(200, {"id": post["id"]})


class FakeInstagram(GraphFake):
    ig_user_id = "17841400000000001"

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.media: list[dict[str, Any]] = []

    def route(self, method: str, segments: list[str], request: Request) -> Reply:
        params = request.params()
        if segments == [self.ig_user_id, "media"] and method == "POST":
            return self._create(params)
        if segments == [self.ig_user_id, "media"] and method == "GET":
            data = [
                {k: m[k] for k in ("id", "caption", "permalink", "timestamp")}
                for m in _newest_first(self.media, "timestamp")
            ]
            return self.page(request, data)
        if segments == [self.ig_user_id, "media_publish"] and method == "POST":
            return self._publish(params.get("creation_id", ""))
        if len(segments) == 1 and method == "GET":
            if segments[0] in self.containers:
                return self.container_status(segments[0], "status_code")
            for media in self.media:
                if media["id"] == segments[0]:
                    return json_reply(200, {"id": media["id"], "permalink": media["permalink"]})
        return graph_error(100, "Unsupported request")

    def _create(self, params: dict[str, str]) -> Reply:
        if params.get("media_type") == "CAROUSEL":
            children = params.get("children", "").split(",")
            if not 2 <= len(children) <= 10:
                return graph_error(100, "A carousel takes 2 to 10 children")
            for child in children:
                stored = self.containers.get(child)
                if stored is None or not stored["fields"].get("is_carousel_item"):
                    return graph_error(100, "Invalid children")
            problem = None
        else:
            if "image_url" not in params:
                return graph_error(100, "The parameter image_url is required")
            problem = self.fetch_problem(params["image_url"], ("JPEG",), (0.8, 1.91))
        return json_reply(200, {"id": self.container(params, problem)})

    def _publish(self, creation_id: str) -> Reply:
        stored = self.containers.get(creation_id)
        if stored is None:
            return graph_error(100, "Invalid creation_id")
        if stored["state"] != "FINISHED":
            return graph_error(9007, "Media ID is not available", subcode=2207027)
        stored["state"] = "PUBLISHED"
        fields = stored["fields"]
        media = self.add_media(fields.get("caption", ""), at=datetime.now(UTC), container=stored)
        self.record_published(fields.get("caption", ""), media["id"])
        return json_reply(200, {"id": media["id"]})

    def add_media(self, caption: str, *, at: datetime, **extra: Any) -> dict[str, Any]:
        """Store media as if published at `at` (tests seed an account's history)."""
        media_id = self.new_id()
        media = {
            "id": media_id,
            "caption": caption,
            "permalink": f"https://www.instagram.com/p/C{media_id[-8:]}/",
            "timestamp": _now(at),
            "container": None,
            **extra,
        }
        self.media.append(media)
        return media


class FakeThreads(GraphFake):
    user_id = "26000000000000001"

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.posts: list[dict[str, Any]] = []

    def _user(self, segment: str) -> bool:
        return segment in (self.user_id, "me")

    def route(self, method: str, segments: list[str], request: Request) -> Reply:
        params = request.params()
        if len(segments) == 2 and self._user(segments[0]):
            edge = segments[1]
            if edge == "threads" and method == "POST":
                return self._create(params)
            if edge == "threads_publish" and method == "POST":
                return self._publish(params.get("creation_id", ""))
            if edge in ("threads", "replies") and method == "GET":
                wanted = [
                    p
                    for p in _newest_first(self.posts, "timestamp")
                    if (p["reply_to"] is not None) == (edge == "replies")
                ]
                data = []
                for post in wanted:
                    shown = {k: post[k] for k in ("id", "text", "timestamp", "permalink")}
                    if post["reply_to"]:
                        shown["replied_to"] = {"id": post["reply_to"]}
                    data.append(shown)
                return self.page(request, data, links=False)
        if len(segments) == 1 and method == "GET":
            if segments[0] in self.containers:
                return self.container_status(segments[0], "status")
            for post in self.posts:
                if post["id"] == segments[0]:
                    return json_reply(200, {"id": post["id"], "permalink": post["permalink"]})
        return graph_error(100, "Unsupported request")

    def _create(self, params: dict[str, str]) -> Reply:
        kind = params.get("media_type")
        text = params.get("text", "")
        if len(text.encode("utf-8")) > 500 and len(text) > 500:
            return graph_error(100, "The text is too long")
        problem = None
        if kind == "IMAGE":
            problem = self.fetch_problem(params.get("image_url", ""), ("JPEG", "PNG"), (0.1, 10))
        elif kind == "CAROUSEL":
            children = params.get("children", "").split(",")
            if not 2 <= len(children) <= 20 or any(c not in self.containers for c in children):
                return graph_error(100, "Invalid children")
        elif kind != "TEXT":
            return graph_error(100, "media_type must be TEXT, IMAGE, VIDEO or CAROUSEL")
        reply_to = params.get("reply_to_id")
        if reply_to is not None and all(post["id"] != reply_to for post in self.posts):
            return graph_error(100, "reply_to_id does not exist")
        return json_reply(200, {"id": self.container(params, problem)})

    def _publish(self, creation_id: str) -> Reply:
        stored = self.containers.get(creation_id)
        if stored is None or stored["state"] != "FINISHED":
            return graph_error(24, "The media is not ready to be published", subcode=4279009)
        stored["state"] = "PUBLISHED"
        fields = stored["fields"]
        post = self.add_post(
            fields.get("text", ""),
            at=datetime.now(UTC),
            reply_to=fields.get("reply_to_id"),
            media_type=fields.get("media_type"),
            container=stored,
        )
        self.record_published(fields.get("text", ""), post["id"])
        return json_reply(200, {"id": post["id"]})

    def add_post(
        self, text: str, *, at: datetime, reply_to: str | None = None, **extra: Any
    ) -> dict[str, Any]:
        """Store a post (a reply with `reply_to`) as if published at `at` (tests seed a
        profile's history)."""
        post_id = self.new_id()
        post = {
            "id": post_id,
            "text": text,
            "reply_to": reply_to,
            "media_type": "TEXT",
            "container": None,
            "timestamp": _now(at),
            "permalink": f"https://www.threads.net/@zuiderhaven/post/{post_id}",
            **extra,
        }
        self.posts.append(post)
        return post
