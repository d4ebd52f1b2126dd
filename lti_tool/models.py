"""Every model of every area, imported by name so that `Base.metadata` is complete (Alembic, tests).

A new module with tables adds its line here.
"""
from __future__ import annotations

from .admin import models as admin_models  # noqa: F401
from .commission import models as commission_models  # noqa: F401
from .core import accounts, cache, courses, grades, notices, reference, tool_sessions  # noqa: F401
from .core.db import Base
from .documents import models as documents_models  # noqa: F401
from .events import models as events_models  # noqa: F401
from .lti import models as lti_models  # noqa: F401
from .notifications import models as notifications_models  # noqa: F401
from .pathways import models as pathways_models  # noqa: F401
from .resource_map import models as resource_map_models  # noqa: F401
from .surveys import models as surveys_models  # noqa: F401

__all__ = ["Base"]
