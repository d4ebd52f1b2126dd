"""Every model of every area, imported so that `Base.metadata` is complete (Alembic, tests)."""
from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

from .db import Base

_PACKAGE = Path(__file__).resolve().parent

# Each area package that has a `models` module contributes its tables.
for _info in pkgutil.iter_modules([str(_PACKAGE)]):
    if _info.ispkg and (_PACKAGE / _info.name / "models.py").exists():
        importlib.import_module(f"{__package__}.{_info.name}.models")

__all__ = ["Base"]
