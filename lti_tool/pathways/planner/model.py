"""Plain data types of the individual route (ИПОМ) planner.

Nothing here imports Flask or SQLAlchemy: the database layer builds these frozen dataclasses
from its models, calls the planner and stores the :class:`Plan` it gets back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

# Reasons why one of a teacher's priority needs got no step (shown to methodists as is).
REASON_NO_OFFERINGS = "нет предложений по теме"
REASON_NO_SEATS = "все места заняты"
REASON_NO_NEED = "нет потребности"
REASON_STEP_LIMIT = "исчерпан лимит шагов"
# Only a non-optimal plan (e.g. one edited by hand) can leave a need open with seats and steps free.
REASON_NOT_ASSIGNED = "не назначено"

# consultation → tutorial → master class / seminar → internship; a step's rank in a route is the
# index of its form here (unknown forms go last).
DEFAULT_FORM_ORDER: tuple[str, ...] = (
    "consultation",
    "tutorial",
    "training",
    "master_class",
    "immersion_seminar",
    "open_demo",
    "open_day",
    "problem_group",
    "internship",
    "expert_review",
    "self_education",
)


@dataclass(frozen=True)
class TeacherNeeds:
    """One teacher's survey result: need score in [0, 1] per topic, and where they work."""

    teacher_id: int
    needs: dict[int, float]
    cluster_id: int | None = None
    municipality: str | None = None
    max_steps: int | None = None  # overrides PlannerSettings.steps_per_teacher


@dataclass(frozen=True)
class OfferingSlot:
    """One line of the resource map: an event or support form on a topic, with seats."""

    offering_id: int
    topic_id: int
    form: str
    capacity: int
    starts_on: date | None = None
    ends_on: date | None = None
    cluster_id: int | None = None
    municipality: str | None = None


@dataclass(frozen=True)
class PlannerSettings:
    """Knobs of the model; the defaults fit a municipal network's year plan."""

    steps_per_teacher: int = 3
    topics_per_teacher: int = 3  # only a teacher's top-N needs (need >= min_need) get steps
    min_need: float = 0.2
    max_steps_per_topic: int = 2
    # Weight of a need by its rank among the teacher's priority topics (last value repeats).
    rank_weights: tuple[float, ...] = (1.0, 0.85, 0.7)
    # The j-th extra step on one topic is worth need * rank_weight * repeat_decay**j ...
    repeat_decay: float = 0.5
    # ... plus this bonus: an extra step on a topic is always in another form (one step per
    # teacher, topic and form), so it rewards deepening a topic along the form progression.
    # A step is never worth more than the one before it on the topic (values are capped).
    form_variety_bonus: float = 0.05
    # Added per step in the teacher's own cluster or municipality; 0 disables.
    local_bonus: float = 0.1
    # Cover as many priority needs as possible first (lexicographically), then maximise weight.
    coverage_first: bool = True
    form_order: tuple[str, ...] = DEFAULT_FORM_ORDER
    plan_start: date | None = None  # offerings that ended before this day are not used
    plan_end: date | None = None  # offerings that start after this day are not used
    # Manual edits: (teacher_id, offering_id) pairs (or Assignments) kept as they are.
    fixed: tuple[tuple[int, int] | Assignment, ...] = ()
    # (teacher_id, offering_id) pairs the planner must not propose.
    excluded: frozenset[tuple[int, int]] = frozenset()


@dataclass(frozen=True)
class Assignment:
    """One step of a teacher's route; ``order`` is 1-based within the teacher's route."""

    teacher_id: int
    offering_id: int
    topic_id: int
    form: str
    order: int
    fixed: bool = False


@dataclass(frozen=True)
class UnmetNeed:
    """A priority need left without a step, and why (``topic_id`` is None for "no need")."""

    teacher_id: int
    topic_id: int | None
    need: float
    reason: str


@dataclass(frozen=True)
class Plan:
    """The planner's answer: steps, open needs per teacher, seats used per offering."""

    assignments: list[Assignment]
    unmet: dict[int, list[UnmetNeed]]
    seats_used: dict[int, int]
    objective: float  # need weight + bonuses, as computed by evaluate_objective
    covered: int  # (teacher, priority topic) pairs with at least one step
    method: str
    stats: dict[str, float] = field(default_factory=dict)

    def route(self, teacher_id: int) -> list[Assignment]:
        """The ordered steps of one teacher."""
        return [a for a in self.assignments if a.teacher_id == teacher_id]


@dataclass(frozen=True)
class Score:
    """Value of a set of assignments under the model: priority needs covered, objective."""

    covered: int
    objective: float


@dataclass(frozen=True)
class LPBound:
    """Upper bounds of the LP relaxation, for gap reporting."""

    covered: float  # max number of priority needs that can be covered
    objective: float  # max objective (subject to max coverage when coverage_first)
    method: str
    seconds: float


class PlanningError(ValueError):
    """Input the planner cannot honour, e.g. manual assignments beyond an offering's capacity."""
