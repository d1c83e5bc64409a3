"""The contact search's two ways to a page (walking the list newest first, or the trigram index) give
the same contacts in the same order, and neither shows another tenant's contacts."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from landform.core.db import sync_session, utcnow
from landform.crm_sink.contacts import search
from landform.crm_sink.contacts.search import ContactFilter, Cursor
from landform.crm_sink.models import Contact
from tests.crm_sink.helpers import make_contact


@pytest.fixture
def crowd(db, owner, stranger) -> list[Contact]:
    """60 of the owner's contacts, one in three a "de Vries" (a common term), one "Lovelace" (a rare one),
    some without any activity; and the stranger's "de Vries" and "Lovelace", all more recently active."""
    now = utcnow()
    mine = []
    for n in range(60):
        mine.append(
            make_contact(
                db,
                owner,
                f"lead{n}@example.com",
                first_name="Ada" if n == 31 else "Lead",
                last_name="Lovelace" if n == 31 else ("de Vries" if n % 3 == 0 else "Jansen"),
                # Some share a moment and some have none: both ways must order them the same.
                last_activity_at=None if n % 11 == 0 else now - timedelta(minutes=10 + n // 2),
                do_not_contact=n % 5 == 0,
            )
        )
    for n in range(12):
        make_contact(
            db,
            stranger,
            f"other{n}@example.com",
            last_name="Lovelace" if n == 5 else "de Vries",
            last_activity_at=now - timedelta(minutes=n),
        )
    return mine


def _matching(contacts: list[Contact], q: str) -> list[Contact]:
    return [c for c in contacts if q.casefold() in f"{c.email_key} {c.first_name} {c.last_name}".casefold()]


def _every_page(session: Any, q: str) -> list[list[str]]:
    pages, cursor = [], None
    for _ in range(60):
        page, cursor = search.contact_page(session, ContactFilter(q=q), cursor, limit=4)
        pages.append([contact.email for contact in page])
        if cursor is None:
            return pages
    raise AssertionError("the cursor never ended")


def _in_list_order(contacts: list[Contact]) -> list[str]:
    active = sorted((c for c in contacts if c.last_activity_at), key=lambda c: (c.last_activity_at, c.id))
    idle = sorted((c for c in contacts if not c.last_activity_at), key=lambda c: c.id)
    return [c.email for c in [*reversed(active), *reversed(idle)]]


@pytest.mark.parametrize(
    ("q", "walk", "first_way"),
    [
        ("de vries", 20, "walk"),
        ("DE VR", 20, "walk"),
        # A walk of 6 sees two or so in three and no page; at that rate 15 contacts would hold one.
        ("de vries", 6, "far walk"),
        ("lovelace", 20, "index"),
        ("nobody", 20, "index"),
    ],
)
def test_it_gives_the_same_pages_walking_the_list_as_from_the_trigram_index(
    settings, crowd, owner, monkeypatch, q, walk, first_way
):
    ways: list[str] = []
    search_page = search._search_page

    def noted(*args: Any) -> Any:
        rows, way = search_page(*args)
        ways.append(way)
        return rows, way

    monkeypatch.setattr(search, "_search_page", noted)
    expected = _in_list_order(_matching(crowd, q))
    with sync_session(settings.database.sync_url, tenant_id=owner.tenant_id) as session:
        # At one in three, a walk of 20 contacts finds the 5 a page of 4 needs (one more: is there a next?).
        monkeypatch.setattr(search, "SEARCH_WALK", walk)
        monkeypatch.setattr(search, "SEARCH_WALK_FAR", 30)
        walked = _every_page(session, q)
        assert ways[0] == first_way
        if first_way != "index":  # every full page of the common term came from a walk
            assert len([way for way in ways if way != "index"]) >= len(walked) - 1
        ways.clear()
        monkeypatch.setattr(search, "SEARCH_WALK", 0)
        indexed = _every_page(session, q)
        assert set(ways) == {"index"}
        assert search.capped_count(session, ContactFilter(q=q)) == len(expected)
    assert walked == indexed
    assert [email for page in walked for email in page] == expected


def test_it_starts_the_walk_after_the_cursor_and_keeps_the_other_filters(settings, crowd, owner, monkeypatch):
    monkeypatch.setattr(search, "SEARCH_WALK", 20)
    common = _in_list_order(_matching(crowd, "de vries"))
    middle = crowd[30]  # a "de Vries" with an activity, sharing its moment with crowd[31]
    with sync_session(settings.database.sync_url, tenant_id=owner.tenant_id) as session:
        cursor = Cursor(middle.last_activity_at, middle.id)
        after, _next = search.contact_page(session, ContactFilter(q="de vries"), cursor, limit=3)
        refused, _next = search.contact_page(session, ContactFilter(q="de vries", consent="dnc"), None)
    position = common.index(middle.email)
    assert [c.email for c in after] == common[position + 1 : position + 4]
    dnc = [c for c in _matching(crowd, "de vries") if c.do_not_contact]
    assert [c.email for c in refused] == _in_list_order(dnc)
    assert len(refused) == 4  # lead0 (no activity), lead15, lead30, lead45


def test_it_stops_counting_a_search_past_the_cap(settings, crowd, owner, monkeypatch):
    monkeypatch.setattr(search, "COUNT_CAP", 5)
    with sync_session(settings.database.sync_url, tenant_id=owner.tenant_id) as session:
        assert search.capped_count(session, ContactFilter(q="de vries")) == 6  # shown as "more than 5"
        assert search.capped_count(session, ContactFilter(q="lovelace")) == 1
        assert search.capped_count(session, ContactFilter(q="de vries", consent="dnc")) == 4
