"""Ids from outside (lti_tool/core/ids.py): parsed within range, checked against the network."""
from __future__ import annotations

import pytest

from lti_tool.core.ids import MAX_ID, ForeignId, db_id, owned, owned_ids, parse_id
from lti_tool.core.reference import Topic
from lti_tool.core.accounts import Network


@pytest.mark.parametrize("text,expected", [("7", 7), (" 12 ", 12), (str(MAX_ID), MAX_ID), (5, 5)])
def test_ids_in_range_are_read(text, expected):
    assert db_id(text) == expected and parse_id(text) == expected


@pytest.mark.parametrize("text", ["0", "-1", str(MAX_ID + 1), "99999999999999999999999", "1e3", "٣", "", "x",
                                  "1.0", None])
def test_anything_else_is_not_an_id(text):
    assert parse_id(text) is None
    with pytest.raises(ValueError):
        db_id(text)


def test_a_row_of_another_network_looks_like_an_unknown_one(db_session):
    a, b = Network(name="А", slug="a"), Network(name="Б", slug="b")
    db_session.add_all([a, b])
    db_session.flush()
    mine, theirs = Topic(network_id=a.id, name="Наша тема"), Topic(network_id=b.id, name="Чужая тема")
    db_session.add_all([mine, theirs])
    db_session.flush()
    assert owned(db_session, Topic, a.id, str(mine.id), field="topic_id") is mine
    assert owned(db_session, Topic, a.id, "", field="topic_id") is None
    for value in (str(theirs.id), "999999", "99999999999999999999999", "x"):
        with pytest.raises(ForeignId) as info:
            owned(db_session, Topic, a.id, value, field="topic_id")
        assert info.value.field == "topic_id"
    assert owned_ids(db_session, Topic, a.id, [str(mine.id), mine.id], field="topic_ids") == [mine.id]
    with pytest.raises(ForeignId):
        owned_ids(db_session, Topic, a.id, [str(mine.id), str(theirs.id)], field="topic_ids")
