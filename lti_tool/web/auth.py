"""Who is asking: the actor of the current request, and the role and tenant checks every view uses.

A launch (see `lti_tool.lti`) signs the actor in: a server-side session (`core/tool_sessions.py`)
whose random token is all the cookie holds. Each request reads it back with the current grants and
the platform's enabled state (one query), so roles are never trusted from the cookie. Views never
read LTI claims; domain code receives plain values: user id, network id, course id and tool roles.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from functools import wraps

from flask import abort, current_app, g, session

# The role names are core's: stored enrollments map to the same roles (core/member_roles.py).
from ..core.member_roles import ADMIN, METHODIST, ROLES, TEACHER, TUTOR  # noqa: F401

SESSION_KEY = "sid"  # the server-side session's token: nothing readable about the person


@dataclass(frozen=True)
class Actor:
    """The signed-in person in the network and course of their latest launch."""

    user_id: int
    network_id: int
    roles: frozenset[str]
    course_id: int | None = None
    resource_link_id: int | None = None
    name: str = ""
    extra: dict = field(default_factory=dict, compare=False)

    def has(self, *roles: str) -> bool:
        """True if the actor holds any of `roles`."""
        return bool(self.roles.intersection(roles))

    @property
    def is_staff(self) -> bool:
        """Methodists and administrators run the network's year."""
        return self.has(METHODIST, ADMIN)

    def to_session(self) -> dict:
        return {
            "user_id": self.user_id,
            "network_id": self.network_id,
            "roles": sorted(self.roles),
            "course_id": self.course_id,
            "resource_link_id": self.resource_link_id,
            "name": self.name,
        }

    @classmethod
    def from_session(cls, data: dict) -> Actor:
        return cls(
            user_id=int(data["user_id"]),
            network_id=int(data["network_id"]),
            roles=frozenset(data.get("roles", ())),
            course_id=data.get("course_id"),
            resource_link_id=data.get("resource_link_id"),
            name=data.get("name", ""),
        )


def store_actor(actor: Actor, *, launch_roles=None, platform_id: int | None = None,
                deployment_id: int | None = None, replaces: str | None = None, commit: bool = True) -> str:
    """Store a server-side session for `actor` (and commit, unless the caller's transaction does);
    its token for the cookie.

    `launch_roles`: the roles the launch's LTI roles gave (default: the actor's roles); tool-side
    grants are added at each request from the database, so a revoked grant ends at once.
    """
    from ..core.tool_sessions import open_session
    from .extensions import db

    lifetime = current_app.permanent_session_lifetime
    token = open_session(db.session, user_id=actor.user_id, network_id=actor.network_id,
                         launch_roles=actor.roles if launch_roles is None else launch_roles,
                         lifetime=lifetime if isinstance(lifetime, timedelta) else timedelta(seconds=lifetime),
                         platform_id=platform_id, deployment_id=deployment_id, course_id=actor.course_id,
                         resource_link_id=actor.resource_link_id, name=actor.name, replaces=replaces)
    if commit:
        db.session.commit()
    return token


def session_token() -> str | None:
    """The token of this browser's tool session, if any (a launch replaces it)."""
    token = session.get(SESSION_KEY)
    return token if isinstance(token, str) else None


def sign_in(actor: Actor, token: str | None = None, **registration) -> None:
    """Start a tool session for `actor` (called by the LTI launch only): `token` of a session the
    launch stored in its own transaction, else one stored now (`registration`: for `store_actor`)."""
    if token is None:
        token = store_actor(actor, replaces=session_token(), **registration)
    session.clear()
    session[SESSION_KEY] = token
    session.permanent = True
    g.actor = actor


def current_actor() -> Actor | None:
    """The actor of this request, from the database (None outside a live session)."""
    if "actor" not in g:
        g.actor = _read_actor(session.get(SESSION_KEY))
    return g.actor


def _read_actor(token) -> Actor | None:
    from ..core.tool_sessions import read_session
    from .extensions import db

    if not token:
        return None
    state = read_session(db.session, token)
    if state is None:
        session.pop(SESSION_KEY, None)  # expired, or its platform was disabled: the cookie is worthless
        return None
    return Actor(user_id=state.user_id, network_id=state.network_id,
                 roles=frozenset(state.launch_roles | state.granted) or frozenset({TEACHER}),
                 course_id=state.course_id, resource_link_id=state.resource_link_id, name=state.name)


def require_actor() -> Actor:
    """The actor, or 401 (the error page tells the user to open the tool from their course)."""
    actor = current_actor()
    if actor is None:
        abort(401)
    return actor


def role_required(*roles: str):
    """View decorator: 401 without a session, 403 unless the actor holds one of `roles`."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            actor = require_actor()
            if roles and not actor.has(*roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def current_person(actor: Actor | None = None):
    """The actor's `Person` in their network (created on first need); 401 without a known user."""
    from ..core.people import person_for_user
    from .extensions import db

    actor = actor or require_actor()
    person = person_for_user(db.session, actor.network_id, actor.user_id)
    if person is None:
        abort(401)
    return person


def owned_row(model, value, field: str, actor: Actor | None = None):
    """The `model` row a form or query value names in the actor's network; None when the value is
    empty. An id that is malformed, unknown or another network's raises `ForeignId` (a 400 page)."""
    from ..core.ids import owned
    from .extensions import db

    actor = actor or require_actor()
    return owned(db.session, model, actor.network_id, value, field=field)


def owned_id(model, value, field: str, actor: Actor | None = None) -> int | None:
    """Like `owned_row`, the row's id."""
    row = owned_row(model, value, field, actor)
    return row.id if row is not None else None


def owned_id_list(model, values, field: str, actor: Actor | None = None) -> list[int]:
    """Ids of `model` rows in the actor's network for a list field; `ForeignId` if any is not."""
    from ..core.ids import owned_ids
    from .extensions import db

    actor = actor or require_actor()
    return owned_ids(db.session, model, actor.network_id, [v for v in values if str(v).strip()], field=field)


def check_network(row, actor: Actor | None = None):
    """Return `row` if it belongs to the actor's network, else 404 (never reveal other tenants)."""
    actor = actor or require_actor()
    if row is None or getattr(row, "network_id", None) != actor.network_id:
        abort(404)
    return row
