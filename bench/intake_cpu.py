"""CPU per submission inside the process, without HTTP: Landform's app beside the bare handler's.

`make bench` measures the servers over loopback, where the load generator, PostgreSQL and Redis share the
two cores with them. To try a change to the intake in seconds, this calls each ASGI app directly from 32
concurrent tasks (no sockets, no uvicorn, no client) and prints the process's CPU time per submission,
the same database and Redis behind both. Run: `.venv/bin/python bench/intake_cpu.py [--count N]`.
Add `--profile FILE` to write cProfile statistics of Landform's run (`python -m pstats FILE`).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import logging
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.run import APP_ROLE, BIN, REDIS_URL, as_app_role, database, redis_answers  # noqa: E402

CLIENTS = 32


async def _serve(app: Any) -> tuple[asyncio.Queue[dict[str, str]], asyncio.Task[None]]:
    """Run the app's lifespan start-up; the queue ends it."""
    events: asyncio.Queue[dict[str, str]] = asyncio.Queue()
    await events.put({"type": "lifespan.startup"})
    started = asyncio.Event()

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "lifespan.startup.complete":
            started.set()
        elif message["type"].endswith("failed"):
            raise SystemExit(f"the app did not start: {message}")

    task = asyncio.create_task(
        app({"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}, events.get, send)
    )
    await started.wait()
    return events, task


async def _submit(app: Any, form_key: str, token: str, n: int, statuses: dict[int, int]) -> None:
    body = json.dumps(
        {
            "first_name": "Bench",
            "last_name": "Runner",
            "email": f"cpu.{n}.{time.time_ns()}@example.com",
            "_lf_token": token,
        }
    ).encode()
    path = f"/f/{form_key}"
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [
            (b"host", b"127.0.0.1:8000"),
            (b"content-type", b"application/json"),
            (b"accept", b"application/json"),
            (b"content-length", str(len(body)).encode()),
        ],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
        "state": {},
    }
    sent = False

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if sent:
            await asyncio.Event().wait()  # the body is all there is
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            statuses[message["status"]] = statuses.get(message["status"], 0) + 1

    await app(scope, receive, send)


async def _measure(which: str, form_key: str, count: int, profile: str | None) -> float:
    """CPU milliseconds per submission of `count` submissions, `CLIENTS` at a time."""
    if which == "bare":
        from bench.bare_app import create_app as create_bare

        app, tokens = create_bare(), ["x" * 120] * (count + 100)
    else:
        from landform.app import create_app
        from landform.forms.intake.spam import issue_token

        app = create_app()
        tokens = [issue_token(form_key) for _ in range(count + 100)]
        for handler in logging.getLogger().handlers:  # the access lines are written, but not shown
            if isinstance(handler, logging.StreamHandler):
                handler.setStream(open(os.devnull, "w"))  # noqa: SIM115, ASYNC230
    events, lifespan = await _serve(app)
    statuses: dict[int, int] = {}
    for n in range(100):  # warm up: connections, caches, prepared statements
        await _submit(app, form_key, tokens[n], n, statuses)
    pending = iter(range(100, count + 100))

    async def client() -> None:
        for n in pending:
            await _submit(app, form_key, tokens[n], n, statuses)

    profiler = cProfile.Profile() if profile else None
    started = time.process_time()
    if profiler:
        profiler.enable()
    await asyncio.gather(*(client() for _ in range(CLIENTS)))
    if profiler:
        profiler.disable()
        profiler.dump_stats(profile)
    spent = time.process_time() - started
    await events.put({"type": "lifespan.shutdown"})
    await asyncio.wait_for(lifespan, 15)
    if set(statuses) != {201}:
        raise SystemExit(f"{which} answered {statuses}")
    return 1000 * spent / count


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--count", type=int, default=4000, help="submissions per app (default 4000)")
    parser.add_argument("--profile", metavar="FILE", help="cProfile statistics of Landform's run")
    parser.add_argument("--which", choices=["both", "landform", "bare"], default="both")
    args = parser.parse_args()
    database_url, backend = database()
    env = {
        "LANDFORM_DATABASE_URL": database_url,
        "LANDFORM_SECRET_KEY": "bench-secret-key-bench-secret-key-bench",
        "LANDFORM_FORM_MIN_SECONDS": "0",
        "LANDFORM_INTAKE_LIMIT_PER_IP": "1000000000",
        "LANDFORM_INTAKE_LIMIT_PER_FORM": "1000000000",
        "LANDFORM_LOG_FORMAT": "json",
        "BENCH_DATABASE_URL": database_url,
    }
    if redis_answers():
        env.update(
            {"LANDFORM_REDIS_URL": REDIS_URL, "LANDFORM_QUEUE_NAMESPACE": f"landform-cpu-{os.getpid()}"}
        )
    os.environ.update(env)
    for command in (["db", "upgrade"], ["demo"]):
        done = subprocess.run([str(BIN / "landform"), *command], capture_output=True, check=True)
    form_key = json.loads(done.stdout.decode().strip().splitlines()[-1])["form_key"]
    # As production's app servers connect (row-level security applies); the bare handler stays the owner.
    os.environ["LANDFORM_DATABASE_URL"] = as_app_role(database_url)
    print(f"CPU per submission in-process on {backend} ({APP_ROLE} for Landform), {CLIENTS} at a time")
    results: dict[str, float] = {}
    for which in ("landform", "bare"):
        if args.which in ("both", which):
            results[which] = asyncio.run(_measure(which, form_key, args.count, args.profile))
            print(f"{which:<10} {results[which]:.3f} ms")
    if len(results) == 2:
        print(f"ratio      {results['landform'] / results['bare']:.2f} (throughput ratio about its inverse)")


if __name__ == "__main__":
    main()
