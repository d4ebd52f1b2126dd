"""What teachers offer in the resources survey: the methodist accepts offers into the map or declines them."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..core.ids import db_id
from ..resource_map.catalog import DELIVERY, FORMS
from ..resource_map.services import current_year, list_topics, list_years
from ..resource_map.validation import ValidationError
from ..web.auth import check_network, require_actor, role_required
from ..web.extensions import db
from . import offers
from .blueprint import bp
from .forms import error_message, parse_offer
from .models import OFFER_STATUSES, SurveyOffer
from .services import SurveyError
from .view_helpers import STAFF


@bp.get("/offers")
@role_required(*STAFF)
def offers_list():
    """Offers from the resources surveys, proposed (to decide), accepted or declined."""
    actor = require_actor()
    status = request.args.get("status") if request.args.get("status") in OFFER_STATUSES else "proposed"
    page = offers.list_offers(db.session, actor.network_id, status, request.args.get("page", 1, type=db_id))
    year = current_year(db.session, actor.network_id)
    return render_template("surveys/offers.html", page=page, status=status, forms=FORMS, delivery=DELIVERY,
                           topics=list_topics(db.session, actor.network_id),
                           years=list_years(db.session, actor.network_id), current_year=year)


@bp.post("/offers/<int:offer_id>/<any(accept, decline):action>")
@role_required(*STAFF)
def decide_offer(offer_id: int, action: str):
    """Accept the offer into the map (with the methodist's corrections) or decline it."""
    actor = require_actor()
    offer = check_network(db.session.get(SurveyOffer, offer_id), actor)
    try:
        if action == "accept":
            offering = offers.accept(db.session, offer, actor.user_id, **parse_offer(request.form))
            message = _("The offer is on the resource map: %(title)s.", title=offering.title or offering.topic.name)
        else:
            offers.decline(db.session, offer, actor.user_id)
            message = _("The offer is declined.")
    except ValidationError as exc:
        db.session.rollback()
        flash(exc.message, "error")
    except SurveyError as exc:
        db.session.rollback()
        flash(error_message(exc.code, exc.params), "error")
    else:
        db.session.commit()
        flash(message, "success")
    return redirect(url_for(".offers_list", page=request.form.get("page", type=db_id)) + f"#offer-{offer_id}")
