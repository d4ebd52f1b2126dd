"""pylti1p3's tool configuration backed by the `Platform`/`Deployment` tables.

Any number of registrations (issuer + client_id). Unknown issuer/client, a disabled platform, an
unknown or disabled deployment are refused with a page (`LaunchRefused`), never a 500.

Unknown deployment of a known platform: refused, and nothing is written (a launch must not
create rows before it is trusted). The page tells the user to ask the administrator, who adds the
deployment with `flask lti platforms add-deployment` or in the admin console.
"""
from __future__ import annotations

import logging

from flask_babel import gettext as _
from pylti1p3.deployment import Deployment as LtiDeployment
from pylti1p3.registration import Registration
from pylti1p3.tool_config import ToolConfAbstract
from sqlalchemy.orm import Session

from . import registration_cache
from .errors import LaunchRefused
from .registration_cache import DeploymentSnapshot, PlatformSnapshot, RegistrationCache

log = logging.getLogger(__name__)


class DbRegistration(Registration):
    """A pylti1p3 registration made from a platform snapshot; the tool key is read on demand."""

    def __init__(self, platform: PlatformSnapshot, session: Session):
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
            from .tool_keys import signing_key

            self._tool_key = signing_key(self._session)
        return self._tool_key

    def get_tool_private_key(self) -> str:
        return self._key().private_key_pem

    def get_kid(self) -> str:
        return self._key().kid

    def get_jwks(self):
        from .tool_keys import public_jwks

        return public_jwks(self._session)["keys"]


class DbDeployment(LtiDeployment):
    """A pylti1p3 deployment carrying its snapshot (id, network)."""

    def __init__(self, row: DeploymentSnapshot):
        super().__init__()
        self.row = row
        self.set_deployment_id(row.deployment_id)


class DbToolConf(ToolConfAbstract):
    """Registrations and deployments of the database, through the process's registration cache.

    `deployment_hint` (the launch's deployment_id, set before the registration is looked up) makes
    a cached entry that lacks that deployment count as a miss.
    """

    def __init__(self, session: Session, cache: RegistrationCache | None = None):
        super().__init__()
        self.session = session
        self.cache = cache
        self.deployment_hint: str | None = None
        self._platforms: dict[tuple[str, str | None], PlatformSnapshot] = {}

    # Every issuer may have several client ids (two registrations on one Moodle).
    def check_iss_has_one_client(self, iss: str) -> bool:
        return False

    def check_iss_has_many_clients(self, iss: str) -> bool:
        return True

    def find_registration_by_issuer(self, iss: str, *args, **kwargs) -> DbRegistration:
        return self.find_registration_by_params(iss, None)

    def find_registration_by_params(self, iss: str, client_id: str | None, *args, **kwargs) -> DbRegistration:
        return DbRegistration(self.platform(iss, client_id), self.session)

    def _usable(self, platforms: list[PlatformSnapshot]) -> bool:
        if len(platforms) != 1 or not platforms[0].enabled:
            return False
        if self.deployment_hint is None:
            return True
        deployment = platforms[0].deployment(self.deployment_hint)
        return deployment is not None and deployment.enabled

    def platform(self, iss: str, client_id: str | None) -> PlatformSnapshot:
        """The enabled platform for issuer (+ client_id), or a refusal page."""
        key = (iss, client_id)
        if key not in self._platforms:
            platforms = registration_cache.lookup(self.session, self.cache, iss, client_id, usable=self._usable)
            if len(platforms) != 1:
                log.warning("LTI: no registration for issuer=%r client_id=%r", iss, client_id)
                raise LaunchRefused(
                    403,
                    _("This LMS is not registered in TutorNet (issuer %(iss)s, client_id %(client_id)s). "
                      "Ask the TutorNet administrator to register it.", iss=iss, client_id=client_id or "—"),
                )
            if not platforms[0].enabled:
                raise LaunchRefused(403, platform_disabled_message())
            self._platforms[key] = platforms[0]
        return self._platforms[key]

    def find_deployment(self, iss: str, deployment_id: str) -> DbDeployment:
        return self.find_deployment_by_params(iss, deployment_id, None)

    def find_deployment_by_params(self, iss: str, deployment_id: str, client_id: str | None, *args, **kwargs):
        platform = self.platform(iss, client_id)
        row = platform.deployment(deployment_id)
        if row is None:
            log.warning("LTI: unknown deployment %r of platform %s (%s)", deployment_id, platform.id, iss)
            raise LaunchRefused(
                403,
                _("The deployment «%(deployment)s» of this LMS is not enabled in TutorNet. Ask the TutorNet "
                  "administrator to add it to the registration of %(iss)s.", deployment=deployment_id, iss=iss),
            )
        if not row.enabled:
            raise LaunchRefused(403, deployment_disabled_message())
        return DbDeployment(row)


def platform_disabled_message() -> str:
    return _("TutorNet is not available from this LMS: the platform was disabled by the administrator.")


def deployment_disabled_message() -> str:
    return _("This deployment of TutorNet was disabled by the administrator.")
