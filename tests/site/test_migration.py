"""Pages made before blocks existed keep working after `landform db upgrade`."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

from litestar.testing import TestClient
from sqlalchemy import text

from landform.app import create_app
from landform.core.db import sync_engine
from landform.core.migrate import upgrade
from landform.core.settings import DatabaseSettings, Settings, get_settings


def test_it_turns_an_old_page_into_blocks_and_a_live_version(tmp_path: Path, monkeypatch) -> None:
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    settings = Settings(database=DatabaseSettings(url=url))
    upgrade(settings, "0003")
    old = {"nl": {"title": "Oud", "headline": "Oude kop", "subheadline": "Onder", "body": "**Vet**"}}
    with sync_engine(settings.database.sync_url).begin() as connection:
        tenant, page = uuid.uuid4(), uuid.uuid4()
        connection.execute(
            text(
                "INSERT INTO tenant (id, slug, name, default_language, country, created_at, updated_at) "
                "VALUES (:id, 'acme', 'Acme', 'nl', 'NL', '2026-01-01', '2026-01-01')"
            ),
            {"id": tenant.bytes},
        )
        connection.execute(
            text(
                "INSERT INTO page (id, tenant_id, slug, content, published_at, created_at, updated_at) "
                "VALUES (:id, :tenant, 'old', :content, '2026-01-01', '2026-01-01', '2026-01-01')"
            ),
            {"id": page.bytes, "tenant": tenant.bytes, "content": json.dumps(old)},
        )
    upgrade(settings)

    monkeypatch.setenv("LANDFORM_DATABASE_URL", url)
    monkeypatch.setenv("LANDFORM_DATA_DIR", str(tmp_path / "var"))
    get_settings.cache_clear()
    try:
        with TestClient(create_app(get_settings())) as client:
            html = client.get("/p/acme/old", headers={"Accept-Language": "nl"}).text
    finally:
        get_settings.cache_clear()
    assert "<title>Oud</title>" in html and "<h1>Oude kop</h1>" in html
    assert '<p class="subheadline">Onder</p>' in html and "<strong>Vet</strong>" in html
