"""The built-in blog's public pages: the index, each post, its hero photo and the Atom feed.

Nobody signs in here; a post disappears (404) the moment consent for its story is withdrawn.
"""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from werkzeug.wrappers import Response

from planner.blog import services as blog
from planner.organisation import current as organisation
from planner.web import runtime
from planner.web.database import db_session

bp = Blueprint("blog", __name__)


def _org_title() -> str:
    return organisation.name()


@bp.get("/blog")
def index() -> str:
    page = request.args.get("page", "1")
    number = int(page) if page.isdigit() and len(page) < 6 else 1
    listing = blog.list_posts(db_session(), number)
    return render_template("blog/index.html", listing=listing, site_title=_org_title())


@bp.get("/blog/feed.atom")
def feed() -> Response:
    posts = blog.list_posts(db_session(), 1, blog.FEED_SIZE).posts
    body = blog.atom_feed(posts, base_url=runtime.base_url(), title=_org_title())
    return Response(body, mimetype="application/atom+xml")


@bp.get("/blog/<slug>")
def post(slug: str) -> str:
    post = blog.get_post(db_session(), slug[:200])
    return render_template(
        "blog/post.html",
        post=post,
        show_hero=blog.hero_allowed(post),
        credit=blog.credit(post),
        site_title=_org_title(),
    )


@bp.get("/blog/<slug>/hero")
def hero(slug: str) -> Response:
    post = blog.get_post(db_session(), slug[:200])
    storage = runtime.storage()
    if post.hero_photo is None or storage is None or not blog.hero_allowed(post):
        abort(404)
    try:
        data = storage.read(post.hero_photo.storage_key)
    except (OSError, KeyError, ValueError):
        abort(404)
    response = Response(data, mimetype=post.hero_photo.mime)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.cache_control.public = True
    response.cache_control.max_age = 3600
    return response
