"""The intake baseline: a bare Litestar handler that inserts the posted JSON into the same database.

Same server (uvicorn, one process), same database and driver (asyncpg or aiosqlite) and the same
kind of transaction per request as Landform's intake; none of Landform's work (form lookup, token,
validation, outbox job, broker). Run as: uvicorn bench.bare_app:create_app --factory
"""

from __future__ import annotations

import os
from typing import Any

import msgspec
from advanced_alchemy.mixins.uuid import uuid7
from litestar import Litestar, Request, Response, post
from sqlalchemy import JSON, Column, DateTime, MetaData, String, Table, func
from sqlalchemy.ext.asyncio import AsyncEngine

from landform.core.db import GUID, create_app_engine
from landform.core.settings import DatabaseSettings

metadata = MetaData()
bench_submission = Table(
    "bench_submission",
    metadata,
    Column("id", GUID, primary_key=True),
    Column("form_key", String(32)),
    Column("data", JSON),
    Column("created_at", DateTime(timezone=True), server_default=func.now()),
)


def create_app() -> Litestar:
    engine: AsyncEngine = create_app_engine(DatabaseSettings(url=os.environ["BENCH_DATABASE_URL"]).async_url)

    async def create_table() -> None:
        async with engine.begin() as connection:
            await connection.run_sync(metadata.create_all)

    @post("/f/{form_key:str}")
    async def submit(request: Request[Any, Any, Any], form_key: str) -> Response[dict[str, str]]:
        """Store the JSON body as it came."""
        data = msgspec.json.decode(await request.body())
        async with engine.begin() as connection:
            await connection.execute(
                bench_submission.insert().values(id=uuid7(), form_key=form_key, data=data)
            )
        return Response({"status": "accepted"}, status_code=201)

    return Litestar(route_handlers=[submit], on_startup=[create_table])
