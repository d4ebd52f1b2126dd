"""The pairing algorithm: load limits, optimality against brute force, manual pairs, reasons."""
from __future__ import annotations

import itertools
import random
from collections import Counter

import pytest

from lti_tool.pathways.pairing import (
    REASON_EXCLUDED,
    REASON_NO_CANDIDATE,
    REASON_NO_CAPACITY,
    PairingError,
    PairingSettings,
    Tutee,
    Tutor,
    evaluate,
    pair_greedy,
    pair_tutees,
)


def random_instance(rng: random.Random, tutees: int, tutors: int, topics: int = 5):
    """Tutees with a few needs, tutors with a few topics, shared organizations and clusters."""
    tes = [Tutee(i, {k: round(rng.random(), 2) for k in rng.sample(range(topics), rng.randint(0, 4))},
                 organization_id=rng.choice([None, 1, 2, 3]), cluster_ids=frozenset(rng.sample([7, 8], rng.randint(0, 1))),
                 experience_years=rng.choice([None, 1, 2, 5, 20]))
           for i in range(1, tutees + 1)]
    trs = [Tutor(100 + j, frozenset(rng.sample(range(topics), rng.randint(0, 3))), organization_id=rng.choice([None, 1, 2]),
                 cluster_ids=frozenset(rng.sample([7, 8], rng.randint(0, 1))), load_limit=rng.randint(0, 2))
           for j in range(tutors)]
    return tes, trs


def brute_force_best(tutees, tutors, settings, fixed=()):
    """The best score over every assignment of each free tutee to no tutor or one with room."""
    fixed = list(fixed)
    fixed_tutees = {a for a, _ in fixed}
    free = [t for t in tutees if t.person_id not in fixed_tutees]
    best = None
    for choice in itertools.product([None] + tutors, repeat=len(free)):
        load = Counter(b for _, b in fixed)
        load.update(t.person_id for t in choice if t is not None)
        if any(load[t.person_id] > t.load_limit for t in tutors):
            continue
        pairs = fixed + [(a.person_id, b.person_id) for a, b in zip(free, choice) if b is not None]
        if any(evaluate([p], tutees, tutors, settings).value <= 0 for p in pairs[len(fixed):]):
            continue  # only candidates (positive value) are pairs
        key = evaluate(pairs, tutees, tutors, settings).key()
        best = key if best is None or key > best else best
    return best


@pytest.mark.parametrize("seed", range(40))
def test_optimal_on_small_instances_checked_by_brute_force(seed):
    rng = random.Random(seed)
    tutees, tutors = random_instance(rng, rng.randint(1, 6), rng.randint(1, 3))
    settings = PairingSettings(candidates_per_tutee=None)
    result = pair_tutees(tutees, tutors, settings)
    assert result.score.key() == brute_force_best(tutees, tutors, settings)
    assert result.score == evaluate([(p.tutee_id, p.tutor_id) for p in result.pairs], tutees, tutors, settings)


@pytest.mark.parametrize("seed", range(20))
def test_never_exceeds_a_load_limit(seed):
    rng = random.Random(seed)
    tutees, tutors = random_instance(rng, 200, 15, topics=8)
    for method in (pair_tutees, pair_greedy):
        result = method(tutees, tutors, PairingSettings(candidates_per_tutee=4))
        load = Counter(p.tutor_id for p in result.pairs)
        assert all(load[t.person_id] <= t.load_limit for t in tutors)
        assert result.loads == {t.person_id: load[t.person_id] for t in tutors}
        assert len({p.tutee_id for p in result.pairs}) == len(result.pairs)  # one tutor per tutee


def test_keeps_manual_pairs_when_rerun():
    tutees = [Tutee(1, {10: 0.9}), Tutee(2, {10: 0.8}), Tutee(3, {11: 0.7})]
    tutors = [Tutor(100, frozenset({10}), load_limit=1), Tutor(101, frozenset({11}), load_limit=2)]
    first = pair_tutees(tutees, tutors)
    assert {(p.tutee_id, p.tutor_id) for p in first.pairs} == {(1, 100), (3, 101)}
    # The methodist pairs tutee 1 with the tutor who does not cover her need; the re-run keeps it,
    # counts it in that tutor's load and pairs tutee 2 with the freed tutor.
    again = pair_tutees(tutees, tutors, fixed=[(1, 101)])
    pairs = {(p.tutee_id, p.tutor_id): p for p in again.pairs}
    assert (1, 101) in pairs and pairs[1, 101].manual
    assert (2, 100) in pairs and not pairs[2, 100].manual
    assert again.loads == {100: 1, 101: 2}


def test_young_specialists_are_matched_first_and_reasons_are_given():
    tutees = [Tutee(1, {10: 1.0}, organization_id=5, experience_years=20),
              Tutee(2, {10: 0.3}, experience_years=1)]
    tutors = [Tutor(100, frozenset({10}), organization_id=5, cluster_ids=frozenset({7}), load_limit=1)]
    result = pair_tutees(tutees, tutors)
    (pair,) = result.pairs
    assert pair.tutee_id == 2 and pair.young and pair.topics == (10,)
    assert result.unmatched == {1: REASON_NO_CAPACITY}
    # Not young by the setting: the better match wins, with the same organization as a reason.
    result = pair_tutees(tutees, tutors, PairingSettings(young_years=1))
    (pair,) = result.pairs
    assert pair.tutee_id == 1 and pair.same_organization and not pair.same_cluster and not pair.young


def test_prefers_the_same_cluster_and_only_top_needs_count():
    tutee = Tutee(1, {10: 0.9, 11: 0.8, 12: 0.7, 13: 0.6}, cluster_ids=frozenset({7}))
    tutors = [Tutor(100, frozenset({13}), load_limit=1),  # the fourth need: not a top need
              Tutor(101, frozenset({12}), load_limit=1),
              Tutor(102, frozenset({12}), cluster_ids=frozenset({7}), load_limit=1)]
    result = pair_tutees([tutee], tutors)
    (pair,) = result.pairs
    assert pair.tutor_id == 102 and pair.same_cluster and pair.topics == (12,)
    alone = pair_tutees([tutee], tutors[:1])
    assert alone.pairs == () and alone.unmatched == {1: REASON_NO_CANDIDATE}


def test_excluded_pairs_are_never_proposed():
    tutees = [Tutee(1, {10: 0.9})]
    tutors = [Tutor(100, frozenset({10}), load_limit=3)]
    result = pair_tutees(tutees, tutors, excluded=[(1, 100)])
    assert result.pairs == () and result.unmatched == {1: REASON_EXCLUDED}


def test_pruned_candidates_stay_close_to_the_exact_optimum():
    rng = random.Random(3)
    tutees, tutors = random_instance(rng, 400, 40, topics=10)
    exact = pair_tutees(tutees, tutors, PairingSettings(candidates_per_tutee=None))
    pruned = pair_tutees(tutees, tutors, PairingSettings(candidates_per_tutee=10))
    greedy = pair_greedy(tutees, tutors, PairingSettings())
    assert pruned.score.key() <= exact.score.key()
    assert greedy.score.key() <= exact.score.key()
    assert pruned.score.matched >= 0.97 * exact.score.matched


def test_bad_inputs_are_refused():
    with pytest.raises(PairingError):
        pair_tutees([Tutee(1), Tutee(1)], [])
    with pytest.raises(PairingError):
        pair_tutees([Tutee(1)], [Tutor(100, load_limit=-1)])
    with pytest.raises(PairingError):
        pair_tutees([Tutee(1)], [Tutor(100)], fixed=[(1, 999)])
