"""What the region generator takes from the areas, in one place.

Tables are addressed by name through the models' metadata (`bulk.Bulk`), so the generator
imports no model class; it reuses the areas' vocabularies, the survey templates, the tally's
rebuild, the offerings' search text and the route planner, so the data is what the tool itself
would have written.
"""
from __future__ import annotations

from ..models import Base
from ..resource_map.catalog import FORM_NAMES_RU, FORMS, SEED_TOPICS_RU
from ..resource_map.demo import F_NAMES, PATRONYMS, POSITIONS, SURNAMES, translit
from ..resource_map.search_text import refresh_search_text
from ..surveys import tally, templates_ru
from ..pathways import planning, tutoring

METADATA = Base.metadata

__all__ = ["FORMS", "FORM_NAMES_RU", "F_NAMES", "METADATA", "PATRONYMS", "POSITIONS", "SEED_TOPICS_RU", "SURNAMES",
           "planning", "refresh_search_text", "tally", "templates_ru", "translit", "tutoring"]
