"""pylti1p3's tool configuration backed by the `Platform`/`Deployment` tables.

Any number of registrations (issuer + client_id). Unknown issuer/client, a disabled platform, an
unknown or disabled deployment are refused with a page (`LaunchRefused`), never a 500.

Unknown deployment of a known platform: refused, and nothing is written (a launch must not
create rows before it is trusted). The page tells the user to ask the administrator, who adds the
deployment with `flask lti platforms add-deployment` or in the admin console.
"""
from __future__ import annotations

import logging
from functools import lru_cache

import sqlalchemy as sa
from flask_babel import gettext as _
from pylti1p3.deployment import Deployment as LtiDeployment
from pylti1p3.registration import Registration
from pylti1p3.tool_config import ToolConfAbstract
from sqlalchemy.orm import Session

from .errors import LaunchRefused
from .models import Deployment, Platform

log = logging.getLogger(__name__)


class DbRegistration(Registration):
    """A pylti1p3 registration made from a `Platform` row; the tool key is read on demand."""

    def __init__(self, platform: Platform, session: Session):
        super().__init__()
        self.platform = platform
        self._session = session
        self._tool_key = None
        (self.set_issuer(platform.issuer).set_client_id(platform.client_id)
         .set_auth_login_url(platform.auth_login_url).set_auth_token_url(platform.auth_token_url)
         .set_auth_audience(platform.auth_audience).set_key_set_url(platform.key_set_url)
         .set_key_set(platform.key_set))

    def _key(self):
        if self._tool_key is None:
            from .keys import signing_key

            self._tool_key = signing_key(self._session)
        return self._tool_key

    def get_tool_private_key(self) -> str:
        return self._key().private_key_pem

    def get_kid(self) -> str:
        return self._key().kid

    def get_jwks(self):
        from .keys import public_jwks

        return public_jwks(self._session)["keys"]


class DbDeployment(LtiDeployment):
    """A pylti1p3 deployment carrying its row (network, platform)."""

    def __init__(self, row: Deployment):
        super().__init__()
        self.row = row
        self.set_deployment_id(row.deployment_id)


@lru_cache(maxsize=2)
def _platform_query(with_client_id: bool):
    """Platform + the launch's deployment (if any) in one SELECT, built once per process."""
    query = (sa.select(Platform, Deployment)
             .outerjoin(Deployment, sa.and_(Deployment.platform_id == Platform.id,
                                            Deployment.deployment_id == sa.bindparam("deployment_id")))
             .where(Platform.issuer == sa.bindparam("iss")))
    if with_client_id:
        query = query.where(Platform.client_id == sa.bindparam("client_id"))
    return query.limit(2)


class DbToolConf(ToolConfAbstract):
    """Registrations and deployments looked up in the database for each request.

    `deployment_hint` (the launch's deployment_id, set before the registration is looked up)
    brings the deployment along in the same query.
    """

    def __init__(self, session: Session):
        super().__init__()
        self.session = session
        self.deployment_hint: str | None = None
        self._platforms: dict[tuple[str, str | None], Platform] = {}
        self._deployments: dict[tuple[int, str], Deployment] = {}

    # Every issuer may have several client ids (two registrations on one Moodle).
    def check_iss_has_one_client(self, iss: str) -> bool:
        return False

    def check_iss_has_many_clients(self, iss: str) -> bool:
        return True

    def find_registration_by_issuer(self, iss: str, *args, **kwargs) -> DbRegistration:
        return self.find_registration_by_params(iss, None)

    def find_registration_by_params(self, iss: str, client_id: str | None, *args, **kwargs) -> DbRegistration:
        return DbRegistration(self.platform(iss, client_id), self.session)

    def platform(self, iss: str, client_id: str | None) -> Platform:
        """The enabled platform for issuer (+ client_id), or a refusal page."""
        key = (iss, client_id)
        if key not in self._platforms:
            params = {"iss": iss, "deployment_id": self.deployment_hint}
            if client_id:
                params["client_id"] = client_id
            rows = self.session.execute(_platform_query(bool(client_id)), params).all()
            if len(rows) != 1:
                log.warning("LTI: no registration for issuer=%r client_id=%r", iss, client_id)
                raise LaunchRefused(
                    403,
                    _("This LMS is not registered in TutorNet (issuer %(iss)s, client_id %(client_id)s). "
                      "Ask the TutorNet administrator to register it.", iss=iss, client_id=client_id or "—"),
                )
            platform, deployment = rows[0]
            if not platform.enabled:
                raise LaunchRefused(403, _("TutorNet is not available from this LMS: the platform was disabled by the administrator."))
            if deployment is not None:
                self._deployments[(platform.id, deployment.deployment_id)] = deployment
            self._platforms[key] = platform
        return self._platforms[key]

    def find_deployment(self, iss: str, deployment_id: str) -> DbDeployment:
        return self.find_deployment_by_params(iss, deployment_id, None)

    def find_deployment_by_params(self, iss: str, deployment_id: str, client_id: str | None, *args, **kwargs):
        platform = self.platform(iss, client_id)
        row = self._deployments.get((platform.id, deployment_id))
        if row is None:
            row = next((d for d in platform.deployments if d.deployment_id == deployment_id), None)
        if row is None:
            log.warning("LTI: unknown deployment %r of platform %s (%s)", deployment_id, platform.id, iss)
            raise LaunchRefused(
                403,
                _("The deployment «%(deployment)s» of this LMS is not enabled in TutorNet. Ask the TutorNet "
                  "administrator to add it to the registration of %(iss)s.", deployment=deployment_id, iss=iss),
            )
        if not row.enabled:
            raise LaunchRefused(403, _("This deployment of TutorNet was disabled by the administrator."))
        return DbDeployment(row)
