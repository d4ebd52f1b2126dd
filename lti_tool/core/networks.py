"""Finding or creating a network by its slug (configuration import, demo data, benchmarks)."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from .accounts import Network


def ensure_network(session: Session, slug: str, name: str) -> Network:
    """The network with `slug`, created with `name` if missing."""
    network = session.scalar(sa.select(Network).where(Network.slug == slug))
    if network is None:
        network = Network(slug=slug, name=name)
        session.add(network)
        session.flush()
    return network
