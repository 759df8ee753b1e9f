"""Sign in and out, your own account and tokens, and the admin's list of people."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask import session as flask_session
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response

from planner.accounts import services, sessions
from planner.accounts.forms import PasswordForm, SignInForm, TokenForm, UserForm
from planner.accounts.guards import admin_required, contributor_required, current_actor
from planner.accounts.models import Role
from planner.accounts.redirects import local_path
from planner.db import utcnow
from planner.errors import ValidationError
from planner.web import runtime
from planner.web.database import db_session
from planner.web.extensions import limiter
from planner.web.forms import attach_error
from planner.web.i18n import LANGUAGES

bp = Blueprint("accounts", __name__)


def _signin_limit() -> str:
    return str(runtime.settings().signin_rate_limit)


def _safe_next(target: str | None, fallback: str = "home.dashboard") -> str:
    """A same-site path from ``?next=`` (planner.accounts.redirects), else the fallback page."""
    return local_path(target) or url_for(fallback)


@bp.route("/sign-in", methods=["GET", "POST"])
@limiter.limit(_signin_limit, methods=["POST"])
def sign_in() -> str | Response:
    form = SignInForm()
    error = None
    if form.validate_on_submit():
        remember = bool(form.remember.data)
        signed_in = sessions.sign_in(
            db_session(),
            form.email.data or "",
            form.password.data or "",
            utcnow(),
            remember=remember,
        )
        if signed_in is not None:
            user, key = signed_in
            login_user(user, remember=remember, duration=sessions.REMEMBER_FOR)
            # Flask-Login keeps this in the session and the remember cookie: a key the server can
            # end (planner.accounts.sessions), instead of the user id, which it could not.
            flask_session["_user_id"] = key
            return redirect(_safe_next(request.args.get("next")))
        error = _("That e-mail address and password do not match an active account.")
    return render_template("accounts/sign_in.html", form=form, error=error)


@bp.post("/sign-out")
def sign_out() -> Response:
    sessions.end_session(db_session(), _session_key(), utcnow())
    logout_user()
    flash(_("You are signed out."), "info")
    return redirect(url_for("accounts.sign_in"))


@bp.route("/account", methods=["GET", "POST"])
@contributor_required
def account() -> str | Response:
    actor = current_actor()
    session = db_session()
    password_form = PasswordForm(prefix="pw")
    token_form = TokenForm(prefix="tok")
    new_token = None
    if _submitted(password_form) and password_form.validate():
        try:
            sessions.change_own_password(
                session,
                actor,
                password_form.current.data or "",
                password_form.password.data or "",
                utcnow(),
                keep=_session_key(),
            )
        except ValidationError as exc:
            attach_error(password_form, exc)
        else:
            flash(
                _("Your password has been changed; you are signed out everywhere else."), "success"
            )
            return redirect(url_for("accounts.account"))
    if _submitted(token_form) and token_form.validate():
        new_token = services.create_token(session, actor, actor, token_form.name.data or "")
    tokens = services.list_tokens(session, actor, actor)
    return render_template(
        "accounts/account.html",
        password_form=password_form,
        token_form=token_form,
        tokens=tokens,
        new_token=new_token,
    )


@bp.post("/account/tokens/<int:token_id>/revoke")
@contributor_required
def revoke_token(token_id: int) -> Response:
    services.revoke_token(db_session(), current_actor(), token_id)
    flash(_("The token has been revoked."), "success")
    return redirect(request.referrer or url_for("accounts.account"))


@bp.get("/settings/users")
@admin_required
def users() -> str:
    people = services.list_users(db_session(), current_actor())
    return render_template("accounts/users.html", users=people)


@bp.route("/settings/users/new", methods=["GET", "POST"])
@admin_required
def new_user() -> str | Response:
    form = UserForm()
    if form.validate_on_submit():
        try:
            services.create_user(
                db_session(),
                current_actor(),
                email=form.email.data or "",
                name=form.name.data or "",
                role=Role(form.role.data),
                password=form.password.data or None,
                weekly_hours=form.weekly_hours.data or 0.0,
            )
        except ValidationError as exc:
            attach_error(form, exc)
        else:
            flash(_("The account has been created."), "success")
            return redirect(url_for("accounts.users"))
    return render_template("accounts/user_form.html", form=form, user=None)


@bp.route("/settings/users/<int:user_id>", methods=["GET", "POST"])
@admin_required
def edit_user(user_id: int) -> str | Response:
    session = db_session()
    user = services.get_user(session, user_id)
    form = UserForm(obj=user)
    if request.method == "GET":
        form.role.data = user.role.value
    del form.email
    if form.validate_on_submit():
        try:
            services.update_user(
                session,
                current_actor(),
                user,
                name=form.name.data or "",
                role=Role(form.role.data),
                is_active=bool(form.is_active.data),
                weekly_hours=form.weekly_hours.data or 0.0,
            )
            if form.password.data:
                sessions.reset_password(
                    session, current_actor(), user, form.password.data, utcnow()
                )
        except ValidationError as exc:
            attach_error(form, exc)
        else:
            flash(_("The changes have been saved."), "success")
            return redirect(url_for("accounts.users"))
    tokens = services.list_tokens(session, current_actor(), user)
    return render_template("accounts/user_form.html", form=form, user=user, tokens=tokens)


def _session_key() -> str | None:
    """This browser's session key (what Flask-Login keeps as ``_user_id``)."""
    key = flask_session.get("_user_id")
    return key if isinstance(key, str) else None


def _submitted(form: PasswordForm | TokenForm) -> bool:
    """Two forms share the account page; their prefixes tell which one was sent."""
    return request.method == "POST" and any(k.startswith(form._prefix) for k in request.form)


@bp.post("/language")
def choose_language() -> Response:
    """Switch the interface language, for this session and, when signed in, for good."""
    language = request.form.get("language", "")
    if language in LANGUAGES:
        flask_session["language"] = language
        if current_user.is_authenticated:
            services.set_language(db_session(), current_actor(), language)
    return redirect(_safe_next(request.form.get("next"), "home.index"))
