"""Scheduled publish: a moment in the marketer's time zone, the worker's job, cancelling, and two workers."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
import time_machine
from sqlalchemy import func, select

from landform.site import schedule
from landform.site.models import Page, PageVersion
from tests.conftest import log_in, make_page, post_form

# 1 December 2026, 09:00 in Amsterdam (CET, UTC+1) is 08:00 UTC.
LOCAL = "2026-12-01T09:00"
DUE = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
BEFORE = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def _page(db, page_id) -> Page:
    db.expire_all()
    return db.get_one(Page, page_id)


def _versions(db, page_id) -> int:
    return db.execute(
        select(func.count()).select_from(PageVersion).where(PageVersion.page_id == page_id)
    ).scalar_one()


@pytest.fixture
def draft(client, db, owner):
    """An unpublished page of acme, its owner logged in (time zone Europe/Amsterdam)."""
    page = make_page(db, owner, None, published=False)
    log_in(client, owner)
    return page


def test_it_publishes_the_draft_at_the_moment_picked_in_the_users_time_zone(
    client, db, owner, settings, draft
):
    with time_machine.travel(BEFORE, tick=False):
        response = post_form(
            client, f"/app/pages/{draft.id}/schedule", {"publish_at": LOCAL}, follow_redirects=False
        )
        assert response.status_code == 302
        assert _page(db, draft.id).publish_at == DUE
        editor = client.get(f"/app/pages/{draft.id}").text
        assert "goes live on Dec 1, 2026, 9:00\u202fAM (Europe/Amsterdam)" in editor
        assert f'value="{LOCAL}"' in editor
        listing = client.get("/app/pages/").text
        assert "Scheduled" in listing and "Dec 1, 2026, 9:00" in listing
        # Edits after scheduling are what goes live: the draft as it is at that moment.
        post_form(client, f"/app/pages/{draft.id}", {"slug": "offer", "nl_title": "Winteraanbieding"})

    with time_machine.travel(datetime(2026, 12, 1, 7, 59, tzinfo=UTC), tick=False):
        assert schedule.publish_due(settings) == 0
    assert client.get("/p/acme/offer").status_code == 404

    with time_machine.travel(datetime(2026, 12, 1, 8, 0, 30, tzinfo=UTC), tick=False):
        assert schedule.publish_due(settings) == 1
        assert schedule.publish_due(settings) == 0  # a second tick finds nothing to do
    page = _page(db, draft.id)
    assert page.is_published and page.publish_at is None and page.published_version == 1
    version = db.execute(select(PageVersion).where(PageVersion.page_id == draft.id)).scalar_one()
    assert (
        version.published_by_id == owner.user_id
        and version.snapshot["seo"]["nl"]["title"] == "Winteraanbieding"
    )
    assert "Winteraanbieding" in client.get("/p/acme/offer", headers={"Accept-Language": "nl"}).text
    assert "Scheduled" not in client.get("/app/pages/").text


def test_cancelling_keeps_the_page_as_it_is(client, db, settings, draft):
    with time_machine.travel(BEFORE, tick=False):
        post_form(client, f"/app/pages/{draft.id}/schedule", {"publish_at": LOCAL})
        response = post_form(client, f"/app/pages/{draft.id}/schedule/cancel", follow_redirects=False)
        assert response.status_code == 302
        assert "Cancel the scheduled publish" not in client.get(f"/app/pages/{draft.id}").text
    with time_machine.travel(DUE, tick=False):
        assert schedule.publish_due(settings) == 0
    assert not _page(db, draft.id).is_published and _page(db, draft.id).publish_at is None


@pytest.mark.parametrize(
    ("value", "why"),
    [
        ("", "Fill in a date and time"),
        ("next tuesday", "Fill in a date and time"),
        ("2026-11-30T12:00", "Pick a moment in the future"),  # 13:00 in Amsterdam: already past
        ("2028-01-01T09:00", "within a year"),
        ("2027-03-28T02:30", "does not exist here"),  # clocks go from 02:00 to 03:00 that night
    ],
)
def test_it_refuses_a_moment_that_cannot_be_scheduled(client, db, draft, value, why):
    with time_machine.travel(BEFORE, tick=False):
        response = post_form(client, f"/app/pages/{draft.id}/schedule", {"publish_at": value})
    assert response.status_code == 422 and why in response.text
    assert 'id="e-publish_at"' in response.text
    assert _page(db, draft.id).publish_at is None


def test_a_draft_that_cannot_be_published_is_held_and_the_editor_says_why(client, db, owner, settings, draft):
    with time_machine.travel(BEFORE, tick=False):
        post_form(client, f"/app/pages/{draft.id}/schedule", {"publish_at": LOCAL})
    page = _page(db, draft.id)
    page.content = {"nl": {"title": ""}, "en": {"title": ""}}  # no title: publishing is refused
    db.commit()

    with time_machine.travel(DUE, tick=False):
        assert schedule.publish_due(settings) == 0
        assert schedule.publish_due(settings) == 0  # not retried every minute
    page = _page(db, draft.id)
    assert not page.is_published and page.publish_failed_at is not None and page.publish_at == DUE
    assert "did not happen" in client.get(f"/app/pages/{draft.id}").text
    assert "Scheduled publish failed" in client.get("/app/pages/").text

    page.content = {"nl": {"title": "Aanbieding"}}
    db.commit()
    with time_machine.travel(datetime(2026, 12, 1, 9, 0, tzinfo=UTC), tick=False):
        post_form(client, f"/app/pages/{draft.id}/schedule", {"publish_at": "2026-12-01T10:30"})
        assert _page(db, draft.id).publish_failed_at is None
    with time_machine.travel(datetime(2026, 12, 1, 9, 31, tzinfo=UTC), tick=False):
        assert schedule.publish_due(settings) == 1
    assert _page(db, draft.id).is_published


def test_two_workers_running_the_job_at_once_publish_one_version(client, db, settings, draft):
    with time_machine.travel(BEFORE, tick=False):
        post_form(client, f"/app/pages/{draft.id}/schedule", {"publish_at": LOCAL})
    results: list[int] = []
    start = threading.Barrier(2)

    def worker() -> None:
        start.wait()
        results.append(schedule.publish_due(settings))

    with time_machine.travel(DUE, tick=True):
        threads = [threading.Thread(target=worker) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    assert sorted(results) == [0, 1]
    assert _versions(db, draft.id) == 1 and _page(db, draft.id).published_version == 1


def test_another_tenant_cannot_schedule_or_cancel_the_page(client, db, stranger, draft):
    log_in(client, stranger)
    with time_machine.travel(BEFORE, tick=False):
        assert post_form(client, f"/app/pages/{draft.id}/schedule", {"publish_at": LOCAL}).status_code == 404
        assert post_form(client, f"/app/pages/{draft.id}/schedule/cancel").status_code == 404
    assert _page(db, draft.id).publish_at is None
