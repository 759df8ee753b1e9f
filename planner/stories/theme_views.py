"""Themes and campaigns: what stories are about, with each theme's target share of the plan."""

from __future__ import annotations

from flask import (
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from planner.accounts.guards import (
    current_actor,
    editor_required,
)
from planner.errors import ValidationError
from planner.stories import themes as theme_services
from planner.stories.forms import (
    CampaignForm,
    ThemeForm,
)
from planner.stories.panels import CAMPAIGN_PAGE
from planner.stories.views import attach_story_error, bp
from planner.web import runtime
from planner.web.database import db_session


@bp.route("/stories/themes", methods=["GET", "POST"])
@bp.route("/stories/themes/<int:theme_id>", methods=["GET", "POST"])
@editor_required
def themes(theme_id: int | None = None) -> str | Response:
    session = db_session()
    actor = current_actor()
    theme = theme_services.get_theme(session, actor, theme_id) if theme_id else None
    form = ThemeForm(obj=theme if request.method == "GET" else None)
    if form.validate_on_submit():
        name = form.name.data or ""
        description = form.description.data or ""
        share = form.target_share.data or 0
        try:
            if theme is None:
                theme_services.create_theme(
                    session, actor, name=name, description=description, target_share=share
                )
            else:
                theme_services.update_theme(
                    session, actor, theme.id, name=name, description=description, target_share=share
                )
        except ValidationError as exc:
            attach_story_error(form, exc)
        else:
            flash(_("The theme has been saved."), "success")
            return redirect(url_for("stories.themes"))
    all_themes = theme_services.list_themes(session)
    return render_template(
        "stories/themes.html",
        form=form,
        theme=theme,
        themes=all_themes,
        total_share=sum(t.target_share for t in all_themes),
    )


@bp.route("/stories/campaigns", methods=["GET", "POST"])
@bp.route("/stories/campaigns/<int:campaign_id>", methods=["GET", "POST"])
@editor_required
def campaigns(campaign_id: int | None = None) -> str | Response:
    session = db_session()
    actor = current_actor()
    campaign = theme_services.get_campaign(session, actor, campaign_id) if campaign_id else None
    form = CampaignForm(obj=campaign if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            if campaign is None:
                theme_services.create_campaign(
                    session,
                    actor,
                    name=form.name.data or "",
                    description=form.description.data or "",
                    starts_on=form.starts_on.data,
                    ends_on=form.ends_on.data,
                )
            else:
                theme_services.update_campaign(
                    session,
                    actor,
                    campaign.id,
                    name=form.name.data or "",
                    description=form.description.data or "",
                    starts_on=form.starts_on.data,
                    ends_on=form.ends_on.data,
                )
        except ValidationError as exc:
            attach_story_error(form, exc)
        else:
            flash(_("The campaign has been saved."), "success")
            return redirect(url_for("stories.campaigns"))
    return render_template(
        "stories/campaigns.html",
        form=form,
        campaign=campaign,
        campaigns=theme_services.list_campaigns(session),
        today=runtime.now().date(),
        panels=[p for c in CAMPAIGN_PAGE.contributors() if (p := c(campaign)) is not None]
        if campaign
        else [],
    )
