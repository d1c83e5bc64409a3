"""`make bench`: Landform's figures, each beside a baseline measured in the same run, with the ratio.

1. Intake: POST /f/{key} at 32 concurrent clients, Landform vs a bare Litestar handler that inserts the
   same JSON into the same database (bench/bare_app.py); both served by uvicorn, one process each.
2. Worker routing: one process, 8 threads (dramatiq Worker) vs plain SQLAlchemy Core inserts of the
   same rows (contact, activity, submission update) with the same threads and engine.
3. A hosted page: gzipped HTML + CSS + JS weight, and renders/s vs a static file served by the same app.
4. embed.js: gzipped bytes.
5. Import: a CSV of IMPORTED contacts with their companies (Excel's Dutch CSV) through the import job, time
   and peak memory, vs a plain COPY of the same rows into the contact table (`--only import`).

PostgreSQL (LANDFORM_BENCH_POSTGRES_URL, default the test server's `landform_bench` database) and Redis
when they answer, else SQLite and the in-process worker. Bounded in time: about two minutes.
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import psycopg
import redis

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.load import LoadResult, request_bytes, run_load  # noqa: E402

BIN = Path(sys.executable).parent
POSTGRES_ADMIN = os.environ.get(
    "LANDFORM_BENCH_POSTGRES_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
# Several people share the server: each may measure in a database of their own.
POSTGRES_DB = os.environ.get("LANDFORM_BENCH_DATABASE", "landform_bench")
REDIS_URL = os.environ.get("LANDFORM_BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
CLIENTS = 32
# Steady loads from the 32 clients, as visitors make them: a busy day, and a campaign launch at about half
# of what one app process can take on two shared cores. Latency counts from when a request was due.
PACED_RATES = (50.0, 500.0)
ROUTED = 5000
IMPORTED = 100_000


@dataclass
class Figure:
    name: str
    landform: float
    baseline: float | None = None
    goal: str = ""
    met: bool | None = None
    unit: str = ""

    def line(self) -> str:
        def show(value: float | None) -> str:
            if value is None:
                return "-"
            return f"{value:,.1f}" if value < 100 else f"{value:,.0f}"

        ratio = f"{self.landform / self.baseline:.2f}" if self.baseline else "-"
        verdict = "" if self.met is None else ("met" if self.met else "MISSED")
        return (
            f"{self.name:<44} {show(self.landform):>10} {show(self.baseline):>10} {ratio:>6}"
            f"  {self.goal:<14} {verdict}"
        )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def database() -> tuple[str, str]:
    """The database to measure on: PostgreSQL when it answers (created fresh), else SQLite."""
    try:
        with psycopg.connect(POSTGRES_ADMIN, autocommit=True, connect_timeout=3) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{POSTGRES_DB}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{POSTGRES_DB}"')
        return re.sub(r"/[^/]*$", f"/{POSTGRES_DB}", POSTGRES_ADMIN), "PostgreSQL"
    except psycopg.Error:
        return f"sqlite:///{tempfile.mkdtemp(prefix='landform-bench-')}/bench.sqlite3", "SQLite"


def redis_answers() -> bool:
    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping())
    except redis.RedisError:
        return False


def serve(app: str, port: int, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(  # one uvicorn process, as `landform run` starts per worker
        [
            str(BIN / "uvicorn"),
            app,
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--no-access-log",
        ],
        env=env,
        cwd=ROOT,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{app} exited:\n{log.read_text()[-3000:]}")
        try:
            httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return process
        except httpx.HTTPError:
            time.sleep(0.2)
    raise SystemExit(f"{app} did not start:\n{log.read_text()[-3000:]}")


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def fetch_tokens(port: int, form_key: str, count: int, seconds: float) -> list[str]:
    """Form tokens as a browser gets them: one GET /f/{key} each (a token is good for one submission)."""
    tokens: list[str] = []
    pattern = re.compile(rb'name="_lf_token" value="([^"]+)"')
    request = request_bytes("GET", f"/f/{form_key}").replace(
        b"Accept: application/json", b"Accept: text/html"
    )

    def keep(body: bytes) -> None:
        found = pattern.search(body)
        if found:
            tokens.append(found.group(1).decode())

    run_load(port, lambda n: request if n <= count else None, seconds=seconds, keep=keep)
    return tokens


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) a process has used so far, all its threads."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def intake(
    landform_port: int,
    bare_port: int,
    pids: dict[str, int],
    form_key: str,
    seconds: float,
    rounds: int = 3,
    profile: tuple[int, str] | None = None,
) -> list[Figure]:
    """Closed loop at 32 clients (capacity), then paced at each of PACED_RATES (latency under steady loads).

    The two servers take turns, `rounds` times: on a shared machine, noise then hits both alike.
    """
    # Enough for 1,600 submissions a second in the closed loop, the paced runs and the warm-up.
    paced_share = sum(PACED_RATES) / 2
    count = int(seconds * (1600 + paced_share)) + 2000
    tokens = fetch_tokens(landform_port, form_key, count=count, seconds=60)
    used = [0]
    sent = itertools.count()

    def submissions(landform: bool, run: str) -> Any:
        def make(_n: int) -> bytes | None:
            token = "x" * 120
            if landform:
                if used[0] >= len(tokens):
                    return None
                token = tokens[used[0]]
                used[0] += 1
            body = {
                "first_name": "Bench",
                "last_name": "Runner",
                "email": f"bench.{run}.{next(sent)}@example.com",
            }
            return request_bytes("POST", f"/f/{form_key}", json.dumps({**body, "_lf_token": token}).encode())

        return make

    ports = {"landform": landform_port, "bare": bare_port}
    capacity = {name: LoadResult(0.0) for name in ports}
    cpu = dict.fromkeys(ports, 0.0)  # the server's CPU seconds during its closed-loop runs
    paced = {(name, rate): LoadResult(0.0) for name in ports for rate in PACED_RATES}
    for name, port in ports.items():  # warm up: connections, caches, prepared statements
        run_load(port, submissions(name == "landform", f"{name}-warm"), seconds=1)
    for n in range(rounds):
        for name, port in ports.items():
            make = submissions(name == "landform", f"{name}-{n}")
            spy = None
            if profile and name == "landform" and n == 0:
                pid, path = profile
                duration = str(max(1, int(seconds / rounds)))
                raw = ["-f", "raw"] if path.endswith(".txt") else []  # collapsed stacks, to add up by part
                spy = subprocess.Popen(
                    [str(BIN / "py-spy"), "record", "-p", str(pid), "-d", duration, "-o", path, *raw]
                )
            before = cpu_seconds(pids[name])
            capacity[name].add(run_load(port, make, seconds=seconds / rounds))
            cpu[name] += cpu_seconds(pids[name]) - before
            if spy is not None:
                spy.wait()
            for rate in PACED_RATES:
                paced[name, rate].add(run_load(port, make, seconds=seconds / rounds / 2, rate=rate))
    for name, result in [*capacity.items(), *paced.items()]:
        wrong = {s: n for s, n in result.statuses.items() if s != 201}
        if wrong:
            raise SystemExit(f"{name} answered {wrong} besides 201")
    ours, bare = capacity["landform"], capacity["bare"]
    rate = Figure("intake submissions/s (32 clients)", ours.per_second, bare.per_second, "ratio >= 0.5")
    rate.met = ours.per_second / bare.per_second >= 0.5
    p99 = Figure("intake p99 ms (32 clients)", ours.percentile(99), bare.percentile(99), "< 25 ms")
    p99.met = ours.percentile(99) < 25
    steady: list[Figure] = []
    for offered in PACED_RATES:
        ours_paced, bare_paced = paced["landform", offered], paced["bare", offered]
        steady += [
            Figure(
                f"intake p50 ms at {offered:.0f}/s offered",
                ours_paced.percentile(50),
                bare_paced.percentile(50),
            ),
            Figure(
                f"intake p99 ms at {offered:.0f}/s offered",
                ours_paced.percentile(99),
                bare_paced.percentile(99),
                "< 25 ms",
                ours_paced.percentile(99) < 25,
            ),
        ]
    return [
        rate,
        Figure("intake p50 ms (32 clients)", ours.percentile(50), bare.percentile(50)),
        p99,
        *steady,
        Figure(
            "intake server CPU ms per submission",
            1000 * cpu["landform"] / max(len(ours.latencies), 1),
            1000 * cpu["bare"] / max(len(bare.latencies), 1),
        ),
        Figure(
            "intake submissions measured",
            len(ours.latencies) + sum(len(paced["landform", r].latencies) for r in PACED_RATES),
            len(bare.latencies) + sum(len(paced["bare", r].latencies) for r in PACED_RATES),
        ),
    ]


def page(port: int, page_url: str, seconds: float) -> list[Figure]:
    path = page_url.split(str(port), 1)[1]
    html = httpx.get(f"http://127.0.0.1:{port}{path}").content
    assets = re.findall(rb'<link[^>]+rel="stylesheet"[^>]+href="([^"]+)"', html)
    assets += re.findall(rb'<script[^>]+src="([^"]+)"', html)
    weight = len(gzip.compress(html))
    for asset in assets:
        url = asset.decode()
        body = httpx.get(url if url.startswith("http") else f"http://127.0.0.1:{port}{url}").content
        weight += len(gzip.compress(body))
    static = (assets[0].decode() if assets else "/static/css/page.css").replace("&amp;", "&")
    page_request = request_bytes("GET", path).replace(b"Accept: application/json", b"Accept: text/html")
    static_request = request_bytes("GET", static).replace(b"Accept: application/json", b"Accept: text/css")
    run_load(port, lambda n: page_request, seconds=1)
    rendered, served = LoadResult(0.0), LoadResult(0.0)
    for _round in range(3):
        rendered.add(run_load(port, lambda n: page_request, seconds=seconds / 6))
        served.add(run_load(port, lambda n: static_request, seconds=seconds / 6))
    for name, result in (("hosted page", rendered), ("static file", served)):
        wrong = {s: n for s, n in result.statuses.items() if s != 200}
        if wrong:
            print(f"note: the {name} answered {wrong} besides 200")
    kb = weight / 1024
    return [
        Figure("hosted page HTML+CSS+JS gzipped KB", kb, None, "<= 40 KB", kb <= 40),
        Figure("hosted page renders/s vs a static file", rendered.per_second, served.per_second),
        Figure("hosted page p99 ms vs a static file", rendered.percentile(99), served.percentile(99)),
    ]


def embed_script() -> list[Figure] | str:
    path = ROOT / "landform" / "static" / "embed.js"
    if not path.exists():
        return "embed.js gzipped bytes: not built yet"
    from landform.forms.embed import compact_script

    size = len(gzip.compress(compact_script(path.read_text())))
    figures = [Figure("embed.js gzipped bytes (as served)", size, None, "<= 4096 B", size <= 4096)]
    # The extensions embed.js loads only for forms that need them (logic and steps, files...).
    for extension in sorted(path.parent.glob("embed-*.js")):
        size = len(gzip.compress(compact_script(extension.read_text())))
        name = f"{extension.name} gzipped bytes (as served)"
        figures.append(Figure(name, size, None, "<= 3072 B", size <= 3072))
    return figures


APP_ROLE = "landform_bench_app"


def as_app_role(database_url: str) -> str:
    """The database as production's workers see it: an ordinary role, so row-level security applies."""
    if not database_url.startswith("postgresql"):
        return database_url
    with psycopg.connect(database_url, autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (APP_ROLE,)).fetchone()
        if not exists:
            connection.execute(f"CREATE ROLE {APP_ROLE} LOGIN NOSUPERUSER NOBYPASSRLS")
        connection.execute(f"GRANT USAGE ON SCHEMA public TO {APP_ROLE}")
        tables = "ALL TABLES IN SCHEMA public"
        connection.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON {tables} TO {APP_ROLE}")
    return re.sub(r"://[^@/]*@", f"://{APP_ROLE}@", database_url)


def routing(database_url: str, limit: int, threads: int = 8) -> list[Figure]:
    """Route the submissions the intake stored, after timing plain inserts of the same rows.

    The worker connects as an ordinary role, so row-level security applies as in production; the
    baseline's plain inserts connect as the database's owner, without it.
    """
    os.environ["LANDFORM_DATABASE_URL"] = as_app_role(database_url)
    os.environ.pop("LANDFORM_REDIS_URL", None)
    from advanced_alchemy.mixins.uuid import uuid7
    from dramatiq import Worker
    from sqlalchemy import delete, select, update

    import landform.models  # noqa: F401  (every table, for the mappers)
    from landform.core.db import sync_engine, utcnow
    from landform.core.jobs.models import OutboxJob
    from landform.core.settings import DatabaseSettings, get_settings
    from landform.crm_sink.models import Activity, Company, Contact, ContactTag, Submission
    from landform.worker import setup_broker

    settings = get_settings()
    engine = sync_engine(DatabaseSettings(url=database_url).sync_url)

    def reset() -> list[tuple[Any, ...]]:
        with engine.begin() as connection:
            connection.execute(update(Submission).values(routed_at=None, contact_id=None))
            connection.execute(delete(Activity))
            connection.execute(delete(ContactTag))
            connection.execute(delete(Contact))
            connection.execute(delete(Company))
            connection.execute(update(OutboxJob).values(done_at=None, failed_at=None))
            return list(
                connection.execute(
                    select(OutboxJob.id, Submission.id, Submission.tenant_id, Submission.contact_fields)
                    .join(Submission, Submission.id == OutboxJob.subject_id)
                    .where(OutboxJob.actor_name == "route_submission")
                    .order_by(OutboxJob.id)
                    .limit(limit)
                )
            )

    rows = reset()

    def insert_like_routing(row: tuple[Any, ...]) -> None:
        _job_id, submission_id, tenant_id, fields = row
        now = utcnow()
        contact_id = uuid7()
        email = fields["email"]
        with engine.begin() as connection:
            connection.execute(
                Contact.__table__.insert().values(
                    id=contact_id,
                    tenant_id=tenant_id,
                    email=email,
                    email_key=email.casefold(),
                    first_name=fields.get("first_name", ""),
                    last_name=fields.get("last_name", ""),
                    language="nl",
                    last_activity_at=now,
                    created_at=now,
                    updated_at=now,
                )
            )
            connection.execute(
                Activity.__table__.insert().values(
                    id=uuid7(),
                    tenant_id=tenant_id,
                    contact_id=contact_id,
                    kind="form_submission",
                    submission_id=submission_id,
                    occurred_at=now,
                    details={},
                    created_at=now,
                    updated_at=now,
                )
            )
            connection.execute(
                update(Submission)
                .where(Submission.id == submission_id)
                .values(routed_at=now, contact_id=contact_id)
            )

    started = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(insert_like_routing, rows))
    baseline = len(rows) / (time.perf_counter() - started)

    rows = reset()
    broker = setup_broker(settings)
    worker = Worker(broker, worker_threads=threads, worker_timeout=50)
    actor = broker.get_actor("route_submission")
    worker.start()
    started = time.perf_counter()
    for job_id, *_rest in rows:
        actor.send(str(job_id))
    broker.join(actor.queue_name, timeout=120_000)
    worker.join()
    routed = len(rows) / (time.perf_counter() - started)
    worker.stop()
    with engine.connect() as connection:
        done = connection.execute(select(OutboxJob.id).where(OutboxJob.done_at.is_not(None))).all()
    if len(done) < len(rows):
        raise SystemExit(f"only {len(done)} of {len(rows)} jobs were routed")
    return [
        Figure(
            f"worker routing/s (1 process, {threads} threads)", routed, baseline, ">= 1,000/s", routed >= 1000
        ),
        Figure("worker submissions routed", len(rows), len(rows)),
    ]


def _import_file(path: Path, count: int) -> None:
    """A CRM export as Excel in the Netherlands saves it: `;`, Windows-1252, a company per 20 people."""
    with path.open("w", encoding="cp1252", newline="") as file:
        file.write(
            "Voornaam;Achternaam;E-mailadres;Telefoon;Functie;Bedrijfsnaam;KvK-nummer;Website;Plaats\r\n"
        )
        for n in range(count):
            firm = n // 20
            file.write(
                f"Jos{n};Brouwer;jos.{n}@firma{firm}.nl;06 {10_000_000 + n:08d};Inkoper;Firma {firm} BV;"
                f"{10_000_000 + firm:08d};www.firma{firm}.nl;Zwolle\r\n"
            )


def _measured(work: Any) -> tuple[float, float]:
    """(seconds, peak RSS MB) of `work()` in a forked child: each side starts from the same memory."""
    import multiprocessing
    import resource

    def child(pipe: Any) -> None:
        started = time.perf_counter()
        work()
        pipe.send((time.perf_counter() - started, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))

    parent, child_end = multiprocessing.get_context("fork").Pipe()
    process = multiprocessing.get_context("fork").Process(target=child, args=(child_end,))
    process.start()
    process.join()
    if process.exitcode != 0:
        raise SystemExit(f"the import measurement failed (exit code {process.exitcode})")
    seconds, peak = parent.recv()
    return float(seconds), float(peak)


def import_figures(database_url: str, count: int = IMPORTED) -> list[Figure]:
    """Import `count` rows through the import job (as the worker runs it, under row-level security) after
    timing a plain COPY of the same contacts into the contact table by the database's owner."""
    os.environ["LANDFORM_DATABASE_URL"] = as_app_role(database_url)
    os.environ["LANDFORM_DATA_DIR"] = tempfile.mkdtemp(prefix="landform-bench-import-")
    import csv as csv_module

    from advanced_alchemy.mixins.uuid import uuid7
    from sqlalchemy import delete, select

    import landform.models  # noqa: F401  (every table, for the mappers)
    from landform.accounts.models import User
    from landform.core.db import sync_engine, sync_session, utcnow
    from landform.core.jobs.models import OutboxJob
    from landform.core.jobs.runner import run_job
    from landform.core.settings import DatabaseSettings, get_settings
    from landform.crm_sink.imports import services
    from landform.crm_sink.imports.models import ContactImport
    from landform.crm_sink.models import Company, Contact
    from landform.worker import setup_broker

    get_settings.cache_clear()
    settings = get_settings()
    # The job's message goes to an in-process broker nobody reads: the measurement runs the job itself.
    setup_broker(settings)
    owner_engine = sync_engine(DatabaseSettings(url=database_url).sync_url)
    path = Path(tempfile.mkdtemp(prefix="landform-bench-")) / "export.csv"
    _import_file(path, count)
    with owner_engine.connect() as connection:
        tenant_id, user_id = connection.execute(select(User.tenant_id, User.id).limit(1)).one()

    def clear() -> None:
        with owner_engine.begin() as connection:
            connection.execute(delete(Contact).where(Contact.source == "import"))
            connection.execute(delete(Company).where(Company.name.like("Firma %")))

    def copy() -> None:
        now = utcnow().isoformat()
        with psycopg.connect(database_url) as connection, path.open(encoding="cp1252", newline="") as file:
            rows = csv_module.reader(file, delimiter=";")
            next(rows)
            columns = (
                "id, tenant_id, email, email_key, first_name, last_name, phone, job_title, company_name,"
            )
            columns += " gender, language, linkedin, facebook, twitter, description, source, do_not_contact,"
            columns += " last_activity_at, created_at, updated_at"
            with connection.cursor().copy(f"COPY contact ({columns}) FROM STDIN") as target:
                for first, last, email, phone, title, firm, *_rest in rows:
                    target.write_row(
                        (
                            uuid7(),
                            tenant_id,
                            email,
                            email.casefold(),
                            first,
                            last,
                            phone,
                            title,
                            firm,
                            "",
                            "",
                            "",
                            "",
                            "",
                            "",
                            "import",
                            False,
                            now,
                            now,
                            now,
                        )
                    )

    clear()
    copy_seconds, copy_peak = _measured(copy)
    clear()
    with sync_session(settings.database.sync_url, tenant_id) as session, path.open("rb") as upload:
        contact_import = services.store_upload(settings, tenant_id, user_id, "export.csv", upload)
        session.add(contact_import)
        session.flush()
        services.start(
            session,
            contact_import,
            {
                **{f"column_{index}": target for index, target in contact_import.mapping.items()},
                "on_duplicate": "update",
                "lawful_basis": "legitimate_interest",
                "source_name": "bench",
            },
        )
        session.commit()
        job_id = session.execute(
            select(OutboxJob.id).where(OutboxJob.subject_id == contact_import.id)
        ).scalar_one()
        import_id = contact_import.id
    import_seconds, import_peak = _measured(lambda: run_job("import_contacts", str(job_id)))
    with sync_session(settings.database.sync_url, tenant_id) as session:
        done = session.get_one(ContactImport, import_id)
        if done.status != "done" or done.created_count != count:
            raise SystemExit(f"the import ended {done.status} with {done.created_count} of {count} contacts")
    clear()
    return [
        Figure(
            f"import {count:,} rows: seconds vs COPY",
            import_seconds,
            copy_seconds,
            "< 60 s",
            import_seconds < 60,
        ),
        Figure("import rows/s vs COPY", count / import_seconds, count / copy_seconds),
        Figure("import peak memory MB vs COPY", import_peak, copy_peak),
    ]


def _count_route_jobs(database_url: str) -> int:
    from sqlalchemy import text

    from landform.core.db import sync_engine
    from landform.core.settings import DatabaseSettings

    with sync_engine(DatabaseSettings(url=database_url).sync_url).connect() as connection:
        query = "SELECT count(*) FROM outbox_job WHERE actor_name = 'route_submission'"
        return int(connection.execute(text(query)).scalar_one())


def seed_submissions(database_url: str, count: int) -> None:
    """Store `count` submissions with their routing jobs as the intake would (for --routing-only)."""
    from advanced_alchemy.mixins.uuid import uuid7
    from sqlalchemy import insert, select

    import landform.models  # noqa: F401  (every table, for the mappers)
    from landform.core.db import sync_engine, utcnow
    from landform.core.jobs.models import OutboxJob
    from landform.core.settings import DatabaseSettings
    from landform.crm_sink.models import Submission
    from landform.forms.models import Form

    engine = sync_engine(DatabaseSettings(url=database_url).sync_url)
    with engine.begin() as connection:
        form_id, tenant_id = connection.execute(select(Form.id, Form.tenant_id).limit(1)).one()
        now = utcnow()
        submissions, jobs = [], []
        for n in range(count):
            submission_id = uuid7()
            email = f"bench{n}@example{n % 50}.nl"
            submissions.append(
                {
                    "id": submission_id,
                    "tenant_id": tenant_id,
                    "form_id": form_id,
                    "form_version": 1,
                    "data": {"first_name": "Bench", "last_name": f"Lead {n}", "email": email},
                    "contact_fields": {"first_name": "Bench", "last_name": f"Lead {n}", "email": email},
                    "context": {"source": "page", "language": "nl", "form_name": "Bench"},
                    "created_at": now,
                    "updated_at": now,
                }
            )
            jobs.append(
                {
                    "id": uuid7(),
                    "actor_name": "route_submission",
                    "subject_id": submission_id,
                    "tenant_id": tenant_id,
                    "redispatch_at": now,
                    "redispatches": 0,
                    "created_at": now,
                    "updated_at": now,
                }
            )
        connection.execute(insert(Submission), submissions)
        connection.execute(insert(OutboxJob), jobs)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=8.0, help="measuring time of each load test")
    parser.add_argument(
        "--profile", metavar="SVG", help="py-spy flame graph of the Landform server under intake load"
    )
    parser.add_argument(
        "--routing-only",
        type=int,
        metavar="N",
        help="measure only worker routing, on N submissions stored directly (no intake, no servers)",
    )
    parser.add_argument(
        "--only",
        choices=["intake", "page", "import"],
        help="measure only the intake, the hosted page or the import (no routing afterwards)",
    )
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="landform-bench-"))
    database_url, backend = database()
    with_redis = redis_answers()
    landform_port, bare_port = free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LANDFORM_", "LITESTAR_"))}
    env.update(
        {
            "LANDFORM_DATABASE_URL": database_url,
            "LANDFORM_DATA_DIR": str(work / "var"),
            "LANDFORM_SECRET_KEY": "bench-secret-key-bench-secret-key-bench",
            "LANDFORM_BASE_URL": f"http://127.0.0.1:{landform_port}",
            "LANDFORM_FORM_MIN_SECONDS": "0",
            # Log lines as production writes them (JSON); development's console format costs more.
            "LANDFORM_LOG_FORMAT": "json",
            # One client address sends everything: the per-address limit would measure the limiter.
            "LANDFORM_INTAKE_LIMIT_PER_IP": "1000000000",
            "LANDFORM_INTAKE_LIMIT_PER_FORM": "1000000000",
            "LANDFORM_PROOF_OF_WORK_AFTER": "1000000000",
            "BENCH_DATABASE_URL": database_url,
        }
    )
    namespace = f"landform-bench-{int(time.time())}"
    if with_redis:
        env.update({"LANDFORM_REDIS_URL": REDIS_URL, "LANDFORM_QUEUE_NAMESPACE": namespace})
    for command in (["db", "upgrade"], ["demo"]):
        done = subprocess.run([str(BIN / "landform"), *command], env=env, capture_output=True, check=True)
    demo = json.loads(done.stdout.decode().strip().splitlines()[-1])
    if args.only == "import":
        print(f"Import on {backend}, {os.cpu_count()} CPUs\n")
        print(f"{'figure':<44} {'landform':>10} {'baseline':>10} {'ratio':>6}  {'goal':<14}")
        for figure in import_figures(database_url):
            print(figure.line())
        return
    if args.routing_only:
        seed_submissions(database_url, args.routing_only)
        print(f"Worker routing on {backend}, {os.cpu_count()} CPUs\n")
        print(f"{'figure':<44} {'landform':>10} {'baseline':>10} {'ratio':>6}  {'goal':<14}")
        for figure in routing(database_url, limit=args.routing_only + 10):
            print(figure.line())
        return
    broker = "Redis as the broker (no worker during intake)" if with_redis else "the in-process worker"
    print(
        f"Landform benchmarks on {backend} with {broker}, {os.cpu_count()} CPUs; "
        f"servers: uvicorn, one process each; client: {CLIENTS} connections\n"
    )
    figures: list[Figure] = []
    notes: list[str] = []
    # Landform connects as production's app servers do: an ordinary role, under row-level security.
    landform_env = {**env, "LANDFORM_DATABASE_URL": as_app_role(database_url)}
    app = serve("landform.app:create_app", landform_port, landform_env, work / "landform.log")
    bare = serve("bench.bare_app:create_app", bare_port, env, work / "bare.log")
    try:
        profile = (app.pid, args.profile) if args.profile else None
        if args.only in (None, "intake"):
            pids = {"landform": app.pid, "bare": bare.pid}
            figures += intake(landform_port, bare_port, pids, demo["form_key"], args.seconds, profile=profile)
        if args.only in (None, "page"):
            figures += page(landform_port, demo["page_url"], args.seconds)
        embed = embed_script()
        if args.only is None and isinstance(embed, str):
            notes.append(embed)
        elif args.only is None and not isinstance(embed, str):
            figures += embed
    finally:
        stop(app)
        stop(bare)
    if args.only is None:
        # Routing is measured on at least ROUTED submissions: what the intake stored, topped up as it would.
        stored = _count_route_jobs(database_url)
        if stored < ROUTED:
            seed_submissions(database_url, ROUTED - stored)
        figures += routing(database_url, limit=ROUTED)
        figures += import_figures(database_url)
    if with_redis:
        client = redis.Redis.from_url(REDIS_URL)
        for key in client.scan_iter(f"{namespace}*"):
            client.delete(key)

    print(f"{'figure':<44} {'landform':>10} {'baseline':>10} {'ratio':>6}  {'goal':<14}")
    for figure in figures:
        print(figure.line())
    for note in notes:
        print(note)


if __name__ == "__main__":
    main()
