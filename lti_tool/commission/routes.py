"""Commission pages for methodists: candidate files, meetings, decisions and their history."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..core.ids import db_id
from ..documents.routes import docx_response
from ..surveys.candidates import tutor_candidates
from ..web.auth import ADMIN, METHODIST, check_network, require_actor, role_required
from ..web.extensions import db
from ..web.pages import page_locale
from . import evidence, papers, services
from .criteria import CRITERIA, OUTCOMES
from .forms import CriterionForm, DecisionForm, MeetingForm, NominateForm
from .models import Candidacy, Decision, Meeting

bp = Blueprint("commission", __name__, url_prefix="/commission")

CANDIDATES_SHOWN = 20  # candidates from the surveys per page
ROLE_NAMES = {"chair": "chair", "председатель": "chair", "secretary": "secretary", "секретарь": "secretary"}


def _candidacy(candidacy_id: int) -> Candidacy:
    return check_network(db.session.get(Candidacy, candidacy_id))


@bp.get("/")
@role_required(METHODIST, ADMIN)
def index():
    """Candidate files, meetings and the network's growth."""
    actor = require_actor()
    form = NominateForm()
    find = request.args.get("find", "").strip()
    form.person_id.choices = [(p.id, p.full_name) for p in services.eligible_people(db.session, actor.network_id, find)]
    files = services.candidacies(db.session, actor.network_id)
    page = max(1, request.args.get("page", 1, type=db_id))
    total, found = tutor_candidates(db.session, actor.network_id, limit=CANDIDATES_SHOWN,
                                    offset=(page - 1) * CANDIDATES_SHOWN)
    return render_template("commission/index.html", form=form, meeting_form=MeetingForm(), files=files, find=find,
                           survey_candidates=found, candidates_total=total, candidates_page=page,
                           candidates_pages=max(1, -(-total // CANDIDATES_SHOWN)),
                           with_file={f.person_id for f in files},
                           meetings=services.meetings(db.session, actor.network_id),
                           growth=services.network_growth(db.session, actor.network_id),
                           threshold=services.threshold(db.session, actor.network_id), criteria_total=len(CRITERIA),
                           current=services.current_decision, outcomes=OUTCOMES)


@bp.post("/candidates")
@role_required(METHODIST, ADMIN)
def nominate():
    actor = require_actor()
    form = NominateForm()
    form.person_id.choices = [(p.id, p.full_name) for p in services.eligible_people(
        db.session, actor.network_id, person_id=request.form.get("person_id", type=db_id) or 0)]
    if not form.validate_on_submit():
        flash(_("Choose a candidate."), "error")
        return redirect(url_for(".index"))
    candidacy = services.open_candidacy(db.session, actor.network_id, form.person_id.data, actor.user_id,
                                        form.statement.data)
    db.session.commit()
    return redirect(url_for(".candidate", candidacy_id=candidacy.id))


@bp.get("/candidates/<int:candidacy_id>")
@role_required(METHODIST, ADMIN)
def candidate(candidacy_id: int):
    """The candidate file: checklist with evidence, decisions history, decision form."""
    actor = require_actor()
    candidacy = _candidacy(candidacy_id)
    decision_form = DecisionForm()
    decision_form.meeting_id.choices = [(m.id, f"{m.held_on:%d.%m.%Y} — {m.title}")
                                        for m in services.meetings(db.session, actor.network_id)]
    gathered = evidence.gather(db.session, actor.network_id, candidacy.person_id)
    return render_template("commission/candidate.html", candidacy=candidacy, criteria=CRITERIA,
                           outcomes=OUTCOMES, decision_form=decision_form, criterion_form=CriterionForm,
                           current=services.current_decision(candidacy), gathered=gathered,
                           proposed=gathered.for_criteria(), met=services.criteria_met(candidacy),
                           threshold=services.threshold(db.session, actor.network_id))


@bp.post("/candidates/<int:candidacy_id>/criteria")
@role_required(METHODIST, ADMIN)
def assess_all(candidacy_id: int):
    """Save the whole checklist with one submit."""
    candidacy = _candidacy(candidacy_id)
    answers = {}
    for code in CRITERIA:
        met, text = request.form.get(f"met-{code}", ""), request.form.get(f"evidence-{code}", "")
        if met not in ("", "yes", "no") or len(text) > 4000:
            flash(_("The assessment could not be saved."), "error")
            return redirect(url_for(".candidate", candidacy_id=candidacy_id))
        answers[code] = ({"yes": True, "no": False}.get(met), text)
    services.assess_all(db.session, candidacy, answers)
    db.session.commit()
    flash(_("Saved."), "success")
    return redirect(url_for(".candidate", candidacy_id=candidacy_id))


@bp.post("/threshold")
@role_required(METHODIST, ADMIN)
def set_threshold():
    """The network's number of criteria an award needs."""
    actor = require_actor()
    value = request.form.get("min_criteria", type=int)
    if value is None or not 0 <= value <= len(CRITERIA):
        flash(_("Enter a number of criteria from 0 to %(num)s.", num=len(CRITERIA)), "error")
        return redirect(url_for(".index"))
    services.set_threshold(db.session, actor.network_id, value)
    db.session.commit()
    flash(_("Saved."), "success")
    return redirect(url_for(".index"))


@bp.post("/candidates/<int:candidacy_id>/criteria/<code>")
@role_required(METHODIST, ADMIN)
def assess(candidacy_id: int, code: str):
    candidacy = _candidacy(candidacy_id)
    form = CriterionForm()
    if code not in CRITERIA or not form.validate_on_submit():
        flash(_("The assessment could not be saved."), "error")
        return redirect(url_for(".candidate", candidacy_id=candidacy_id))
    met = {"yes": True, "no": False}.get(form.met.data)
    services.assess_criterion(db.session, candidacy, code, met, form.evidence.data)
    db.session.commit()
    flash(_("Saved."), "success")
    return redirect(url_for(".candidate", candidacy_id=candidacy_id, _anchor=f"criterion-{code}"))


@bp.post("/meetings")
@role_required(METHODIST, ADMIN)
def create_meeting():
    actor = require_actor()
    form = MeetingForm()
    if not form.validate_on_submit():
        flash(_("Fill in the date, the title and at least one member."), "error")
        return redirect(url_for(".index"))
    members = [_parse_member(line) for line in form.members.data.splitlines() if line.strip()]
    services.create_meeting(db.session, actor.network_id, form.held_on.data, form.title.data, members)
    db.session.commit()
    flash(_("Meeting created."), "success")
    return redirect(url_for(".index"))


@bp.post("/candidates/<int:candidacy_id>/decisions")
@role_required(METHODIST, ADMIN)
def decide(candidacy_id: int):
    actor = require_actor()
    candidacy = _candidacy(candidacy_id)
    form = DecisionForm()
    form.meeting_id.choices = [(m.id, m.title) for m in services.meetings(db.session, actor.network_id)]
    if not form.validate_on_submit():
        flash(_("Choose a meeting and a decision, and state the reasons."), "error")
        return redirect(url_for(".candidate", candidacy_id=candidacy_id))
    meeting = check_network(db.session.get(Meeting, form.meeting_id.data))
    try:
        services.record_decision(db.session, candidacy, meeting, form.outcome.data, form.reasons.data, actor.user_id,
                                 override=form.override.data)
    except services.BelowThreshold as exc:
        db.session.rollback()
        flash(_("Only %(met)s of %(total)s criteria are met; the network's threshold is %(threshold)s. To award anyway, "
                "tick the override and state the reasons: the decision will record that you overrode the threshold.",
                met=exc.met, total=len(CRITERIA), threshold=exc.threshold), "warning")
        return redirect(url_for(".candidate", candidacy_id=candidacy_id))
    db.session.commit()
    flash(_("The decision is recorded."), "success")
    return redirect(url_for(".candidate", candidacy_id=candidacy_id))


def _parse_member(line: str) -> dict:
    """'Петрова А. В. — председатель' → {"name": ..., "role": "chair"}."""
    for sep in ("—", " - ", ","):
        if sep in line:
            name, role = line.split(sep, 1)
            return {"name": name.strip(), "role": ROLE_NAMES.get(role.strip().lower(), "member")}
    return {"name": line.strip(), "role": "member"}


def _paper(doc, back_url: str, docx_url: str, network_id: int, as_docx: bool):
    """The print page of a commission paper, or its DOCX."""
    if as_docx:
        return docx_response(doc, network_id)
    return render_template("documents/page.html", doc=doc, back_url=back_url, docx_url=docx_url)


@bp.get("/meetings/<int:meeting_id>/protocol", defaults={"as_docx": False})
@bp.get("/meetings/<int:meeting_id>/protocol.docx", defaults={"as_docx": True}, endpoint="meeting_protocol_docx")
@role_required(METHODIST, ADMIN)
def meeting_protocol(meeting_id: int, as_docx: bool):
    """The protocol of a commission meeting (print page or DOCX)."""
    meeting = check_network(db.session.get(Meeting, meeting_id))
    return _paper(papers.meeting_protocol(db.session, meeting, page_locale()), url_for(".index"),
                  url_for(".meeting_protocol_docx", meeting_id=meeting_id), meeting.network_id, as_docx)


@bp.get("/decisions/<int:decision_id>/extract", defaults={"as_docx": False})
@bp.get("/decisions/<int:decision_id>/extract.docx", defaults={"as_docx": True}, endpoint="extract_docx")
@role_required(METHODIST, ADMIN)
def extract(decision_id: int, as_docx: bool):
    """The extract from the meeting's protocol for one candidate (print page or DOCX)."""
    decision = db.session.get(Decision, decision_id)
    candidacy = _candidacy(decision.candidacy_id) if decision else check_network(None)
    return _paper(papers.extract(db.session, decision, page_locale()),
                  url_for(".candidate", candidacy_id=candidacy.id),
                  url_for(".extract_docx", decision_id=decision_id), candidacy.network_id, as_docx)
