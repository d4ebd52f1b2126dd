"""Find-or-create of AGS line items at the platform, never duplicating one even under several workers.

The `LineItem` row is locked while the platform is asked (PostgreSQL: SELECT … FOR UPDATE;
SQLite: a lock entry in the shared cache), so a second worker waits and then finds the URL the
first one stored. A line item is looked up by resourceLinkId/resourceId/tag before
one is created: after a crash between the POST and our commit, the next attempt finds it.
"""
from __future__ import annotations

import math
import time
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import sqlalchemy as sa
from sqlalchemy import orm

from lti_tool.core import line_items
from lti_tool.core.clock import utcnow
from lti_tool.core.courses import ResourceLink
from lti_tool.core.db import is_sqlite
from lti_tool.core.grades import LineItem
from lti_tool.core.outbound import OutboundError, Response

from .backoff import parse_retry_after
from .http import MT_LINEITEM, MT_LINEITEMS, PlatformClient, platform_message
from .links import next_link
from .locks import acquire, release

LOCK_TTL = 120.0
LOCK_WAIT = 60.0


class LineItemError(Exception):
    """The line item could not be found or created; `transient` says whether to retry later."""

    def __init__(self, message: str, transient: bool, retry_after: float | None = None):
        super().__init__(message)
        self.transient, self.retry_after = transient, retry_after


def _with_params(url: str, params: dict[str, str]) -> str:
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True) + list(params.items())
    return urlunsplit(parts._replace(query=urlencode(query)))


def _check(resp: Response, what: str) -> None:
    if resp.status_code == 429:
        wait = parse_retry_after(resp.headers.get("Retry-After"), utcnow())
        raise LineItemError(f"{what}: " + platform_message(resp), transient=True, retry_after=wait)
    if resp.status_code >= 500 or resp.status_code in (401, 408, 429):
        raise LineItemError(f"{what}: " + platform_message(resp), transient=True)
    if resp.status_code >= 400:
        raise LineItemError(f"{what}: " + platform_message(resp), transient=False)


def find_remote(client: PlatformClient, lineitems_url: str, link_id: str | None, resource_id: str,
                tag: str) -> str | None:
    """URL of the platform's line item with exactly this resourceLinkId/resourceId/tag, if any."""
    params = {k: v for k, v in (("resource_link_id", link_id), ("resource_id", resource_id), ("tag", tag)) if v}
    url: str | None = _with_params(lineitems_url, {**params, "limit": "100"})
    while url:
        resp = client.request("GET", url, headers={"Accept": MT_LINEITEMS})
        _check(resp, "line item lookup")
        items = _answer(resp, "line item lookup")
        if not isinstance(items, list):
            raise LineItemError("line item lookup: the platform's answer is not a list", transient=False)
        for item in items:
            # Filters are optional for platforms: compare every field ourselves.
            if (isinstance(item, dict) and isinstance(item.get("id"), str)
                    and str(item.get("resourceLinkId") or "") == (link_id or "")
                    and (item.get("resourceId") or "") == resource_id and (item.get("tag") or "") == tag):
                return item["id"]
        url = next_link(resp.headers.get("Link"))
    return None


def create_remote(client: PlatformClient, lineitems_url: str, li: LineItem, link_id: str | None) -> str:
    """POST a new line item; returns its URL."""
    body: dict = {"label": li.label, "scoreMaximum": li.score_maximum}
    if li.resource_id:
        body["resourceId"] = li.resource_id
    if li.tag:
        body["tag"] = li.tag
    if link_id:
        body["resourceLinkId"] = link_id
    resp = client.request("POST", lineitems_url, json=body,
                          headers={"Content-Type": MT_LINEITEM, "Accept": MT_LINEITEM})
    _check(resp, "line item creation")
    item = _answer(resp, "line item creation")
    if not isinstance(item, dict) or not isinstance(item.get("id"), str) or len(item["id"]) > 1024:
        raise LineItemError("line item creation: the platform's answer has no line item URL", transient=False)
    return item["id"]


def _answer(resp: Response, what: str):
    """The decoded JSON of an answer, or a LineItemError (the platform sent something else)."""
    try:
        return resp.json()
    except ValueError as exc:
        raise LineItemError(f"{what}: the platform's answer is not JSON", transient=True) from exc


def ensure_line_item(sessions: orm.sessionmaker, line_item_id: int, client: PlatformClient,
                     lineitems_url: str | None, cache, settle: float = 120.0) -> str:
    """The platform URL of line item `line_item_id`, found or created once and remembered."""
    try:
        with sessions() as s:
            if is_sqlite(s):
                return _ensure_sqlite(sessions, line_item_id, client, lineitems_url, cache, settle)
        with sessions.begin() as s:
            # PostgreSQL: the row lock is held across the HTTP calls; a second worker waits here.
            li = s.scalar(sa.select(LineItem).where(LineItem.id == line_item_id).with_for_update())
            return _resolve(s, li, client, lineitems_url, cache, settle)
    except OutboundError as exc:
        raise LineItemError(f"line item request failed: {exc}", transient=exc.transient) from exc


def _ensure_sqlite(sessions, line_item_id: int, client: PlatformClient, lineitems_url: str | None, cache,
                   settle: float) -> str:
    """SQLite has no row locks and holding its write lock would block the token cache: take a
    short-lived lock entry in the shared cache instead, and talk to the platform outside any
    transaction."""
    lock = f"sync:lineitem:{line_item_id}"
    deadline = time.monotonic() + LOCK_WAIT
    while (owner := acquire(cache, lock, LOCK_TTL)) is None:
        if time.monotonic() > deadline:
            raise LineItemError("another worker is creating this line item", transient=True)
        time.sleep(0.1)
    try:
        with sessions() as s:
            li = s.get(LineItem, line_item_id)
            url = _resolve(s, li, client, lineitems_url, cache, settle)
            s.commit()
            return url
    finally:
        release(cache, lock, owner)


def _resolve(s: orm.Session, li: LineItem | None, client: PlatformClient, lineitems_url: str | None, cache,
             settle: float) -> str:
    """Known URL, the launch's coupled line item, a found one, or a new one — stored on the row."""
    if li is None:
        raise LineItemError("line item no longer exists in the tool", transient=False)
    if li.url:
        return li.url
    link = s.get(ResourceLink, li.resource_link_id) if li.resource_link_id else None
    link_id = link.lti_resource_link_id if link else None
    if link and link.ags_lineitem_url and not li.resource_id and not li.tag:
        # The launch named the line item coupled to this link (Moodle: exactly one).
        return line_items.record_url(li, link.ags_lineitem_url)
    if not lineitems_url:
        raise LineItemError("the course has no AGS line items URL (no launch with AGS yet)", transient=False)
    url = find_remote(client, lineitems_url, link_id, li.resource_id, li.tag) \
        or _create_once(cache, settle, client, lineitems_url, li, link_id)
    line_items.record_url(li, url)
    s.flush()
    return url


def _create_once(cache, settle: float, client: PlatformClient, lineitems_url: str, li: LineItem,
                 link_id: str | None) -> str:
    """POST the line item unless an earlier POST may still be applied by the platform.

    A POST that timed out or lost its connection may have created the item anyway, later than our next
    lookup (a slow platform finishes the request after the client gave up). For `settle`
    seconds after such a POST we only look, never POST again: that is what keeps a flaky
    platform from getting two columns in its gradebook.
    """
    marker = f"sync:lineitem-creating:{li.id}"
    if cache.get(marker):
        raise LineItemError("line item creation not yet confirmed by the platform; looking again later",
                            transient=True)
    cache.set(marker, 1, math.ceil(settle))
    try:
        url = create_remote(client, lineitems_url, li, link_id)
    except LineItemError:
        # The platform answered (4xx/5xx): it says nothing was created. Only a request without
        # an answer (timeout, dropped connection) leaves the marker in place.
        cache.delete(marker)
        raise
    cache.delete(marker)
    return url


def forget_line_item(sessions: orm.sessionmaker, line_item_id: int, url: str) -> None:
    """Drop a URL the platform answered 404 for, so the next attempt finds or creates it anew."""
    with sessions.begin() as s:
        line_items.forget_url(s, line_item_id, url)
