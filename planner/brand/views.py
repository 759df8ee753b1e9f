"""Brand settings pages: admins import Vale style packages and read the import report; editors
keep the term list. Each view parses input, calls one service and renders or redirects."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import FileStorage
from werkzeug.wrappers import Response

from planner.accounts.guards import admin_required, current_actor, editor_required
from planner.brand import services
from planner.brand.forms import StyleImportForm, TermForm
from planner.brand.importing import MAX_ZIP_BYTES, PackageReport
from planner.errors import ValidationError
from planner.web import runtime
from planner.web.database import db_session, discard
from planner.web.forms import ActionForm, attach_error

bp = Blueprint("brand", __name__)

#: The verdict on each rule of a package, as the import report names it: imported, imported
#: with a limitation (named in the details), not runnable (named), or refused by Vale itself.
RULE_STATUS_LABELS = {
    "supported": _l("Imported"),
    "partial": _l("Imported with a limitation"),
    "disabled": _l("Not runnable"),
    "broken": _l("Error: rule refused"),
    "examples-failed": _l("Examples failed: not active"),
}


def _now() -> datetime:
    now: datetime = runtime.now()
    return now


@bp.app_context_processor
def _labels() -> dict[str, Any]:
    return {"rule_status_labels": {k: str(v) for k, v in RULE_STATUS_LABELS.items()}}


# --- style packages -------------------------------------------------------------------------


@bp.route("/settings/style", methods=["GET", "POST"])
@admin_required
def style() -> str | Response | tuple[str, int]:
    session = db_session()
    actor = current_actor()
    form = StyleImportForm()
    report: PackageReport | None = None
    status = 200
    if form.validate_on_submit():
        upload = form.file.data
        if not isinstance(upload, FileStorage) or not upload.filename:
            form.file.errors = [*form.file.errors, _("Choose a zip file to import.")]
            status = 422
        else:
            data = upload.stream.read(MAX_ZIP_BYTES + 1)
            try:
                result = services.import_style_package(
                    session, actor, name=form.name.data or "", data=data, now=_now()
                )
            except ValidationError as exc:
                attach_error(form, exc)
                status = 422
            else:
                if result.package is not None:
                    flash(_("The style package has been imported."), "success")
                    return redirect(url_for("brand.package", package_id=result.package.id))
                report = result.report
                status = 422
    elif form.is_submitted():
        status = 422
    packages = services.list_packages(session, actor)
    page = render_template(
        "brand/style.html",
        form=form,
        report=report,
        packages=packages,
        action_form=ActionForm(),
        max_mb=MAX_ZIP_BYTES // 2**20,
    )
    return page, status


@bp.get("/settings/style/<int:package_id>")
@admin_required
def package(package_id: int) -> str:
    pkg = services.get_package(db_session(), current_actor(), package_id)
    return render_template(
        "brand/package.html",
        package=pkg,
        report=PackageReport.from_json(pkg.report),
        action_form=ActionForm(),
    )


@bp.post("/settings/style/<int:package_id>/active")
@admin_required
def toggle_package(package_id: int) -> Response:
    session = db_session()
    actor = current_actor()
    pkg = services.get_package(session, actor, package_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        services.set_package_active(session, actor, pkg, not pkg.is_active, now=_now())
    except ValidationError as exc:
        discard()  # nothing of a refused change is saved
        flash(_(exc.message, **exc.details), "error")
    else:
        flash(
            _("The style package is active.")
            if pkg.is_active
            else _("The style package is switched off."),
            "success",
        )
    return redirect(url_for("brand.style"))


@bp.post("/settings/style/<int:package_id>/delete")
@admin_required
def delete_package(package_id: int) -> Response:
    session = db_session()
    actor = current_actor()
    pkg = services.get_package(session, actor, package_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    services.delete_package(session, actor, pkg, now=_now())
    flash(_("The style package has been removed."), "success")
    return redirect(url_for("brand.style"))


# --- the term list --------------------------------------------------------------------------


def _term_args(form: TermForm) -> dict[str, Any]:
    return {
        "term": form.term.data or "",
        "preferred": form.preferred.data or "",
        "forbidden": services.parse_variants(form.forbidden.data or ""),
        "note": form.note.data,
    }


@bp.route("/settings/terms", methods=["GET", "POST"])
@editor_required
def terms() -> str | Response | tuple[str, int]:
    session = db_session()
    actor = current_actor()
    form = TermForm()
    status = 200
    if form.validate_on_submit():
        try:
            services.create_term(session, actor, now=_now(), **_term_args(form))
        except ValidationError as exc:
            attach_error(form, exc)
            status = 422
        else:
            flash(_("The term has been added."), "success")
            return redirect(url_for("brand.terms"))
    elif form.is_submitted():
        status = 422
    page = render_template(
        "brand/terms.html",
        form=form,
        terms=services.list_terms(session, actor),
        action_form=ActionForm(),
    )
    return page, status


@bp.route("/settings/terms/<int:term_id>", methods=["GET", "POST"])
@editor_required
def edit_term(term_id: int) -> str | Response | tuple[str, int]:
    session = db_session()
    actor = current_actor()
    row = services.get_term(session, actor, term_id)
    form = TermForm(obj=row)
    if not form.is_submitted():
        form.forbidden.data = "\n".join(row.forbidden)
    status = 200
    if form.validate_on_submit():
        try:
            services.update_term(session, actor, row, now=_now(), **_term_args(form))
        except ValidationError as exc:
            attach_error(form, exc)
            status = 422
        else:
            flash(_("The term has been saved."), "success")
            return redirect(url_for("brand.terms"))
    elif form.is_submitted():
        status = 422
    return render_template("brand/term.html", form=form, term=row), status


@bp.post("/settings/terms/<int:term_id>/delete")
@editor_required
def delete_term(term_id: int) -> Response:
    session = db_session()
    actor = current_actor()
    row = services.get_term(session, actor, term_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    services.delete_term(session, actor, row, now=_now())
    flash(_("The term has been removed."), "success")
    return redirect(url_for("brand.terms"))


# --- overview -------------------------------------------------------------------------------


@bp.get("/brand")
@editor_required
def index() -> str:
    session = db_session()
    actor = current_actor()
    overview = services.describe_active(session, actor)
    return render_template("brand/index.html", overview=overview)
