"""Forms of the admin area (Flask-WTF: every POST carries a CSRF token)."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, RadioField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError


def _url_check(form, field) -> None:
    """https, or http on loopback in development (the same rule as the guarded fetcher)."""
    if not field.data:
        return
    try:
        parts = urlsplit(field.data.strip())
        parts.port  # noqa: B018 - raises on a malformed port
    except ValueError as exc:
        raise ValidationError(_l("Not a valid URL.")) from exc
    loopback = parts.hostname in ("127.0.0.1", "localhost", "::1")
    ok_scheme = parts.scheme == "https" or (parts.scheme == "http" and loopback
                                             and current_app.config.get("DEV_MODE"))
    if not parts.hostname or not ok_scheme or parts.username or parts.password:
        raise ValidationError(_l("Enter a full https:// address."))


class ConfirmRegistrationForm(FlaskForm):
    """The admin's confirmation of a dynamic registration, with the signed state of the GET."""

    state = HiddenField(validators=[DataRequired()])
    network_mode = RadioField(_l("Network"), choices=[("new", _l("A new network of its own")),
                                                      ("join", _l("Join an existing network"))],
                              default="new")
    network_name = StringField(_l("Name of the new network"), validators=[Optional(), Length(max=255)])
    invitation_code = StringField(_l("Invitation code"), validators=[Optional(), Length(max=64)])

    def validate_invitation_code(self, field) -> None:
        if self.network_mode.data == "join" and not (field.data or "").strip():
            raise ValidationError(_l("Enter the invitation code issued in the network's admin console."))


class PlatformForm(FlaskForm):
    """A platform added by hand: the fields of lti_config.json."""

    name = StringField(_l("Name"), validators=[Optional(), Length(max=255)])
    issuer = StringField(_l("Issuer (platform ID)"), validators=[DataRequired(), Length(max=255), _url_check])
    client_id = StringField(_l("Client ID"), validators=[DataRequired(), Length(max=255)])
    auth_login_url = StringField(_l("Authentication request URL"),
                                 validators=[DataRequired(), Length(max=1024), _url_check])
    auth_token_url = StringField(_l("Access token URL"), validators=[DataRequired(), Length(max=1024), _url_check])
    auth_audience = StringField(_l("Token audience (optional)"), validators=[Optional(), Length(max=1024)])
    key_set_url = StringField(_l("Public keyset URL"), validators=[Optional(), Length(max=1024), _url_check])
    key_set = TextAreaField(_l("Or the public keyset (JWKS JSON)"), validators=[Optional(), Length(max=20000)])
    deployment_ids = StringField(_l("Deployment IDs (comma-separated)"), validators=[Optional(), Length(max=1000)])
    approval_code = StringField(_l("Approval code (only if this LMS is already connected in another network)"),
                                validators=[Optional(), Length(max=100)])

    def validate_key_set_url(self, field) -> None:
        if not (field.data or "").strip() and not (self.key_set.data or "").strip():
            raise ValidationError(_l("Give the keyset URL or paste the keyset."))


class InvitationForm(FlaskForm):
    """Issue an invitation code for a platform to join this network."""

    days = IntegerField(_l("Valid for (days)"), default=7, validators=[DataRequired(), NumberRange(1, 90)])
    note = StringField(_l("Note (who it is for)"), validators=[Optional(), Length(max=255)])


class ActionForm(FlaskForm):
    """A bare POST (enable, disable, rotate, retry, revoke): just the CSRF token."""
