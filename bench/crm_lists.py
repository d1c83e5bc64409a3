"""The CRM lists at scale: one tenant with 200,000 contacts in PostgreSQL, each list query timed.

Seeds the contacts (and 20,000 companies) with COPY into a fresh database, then times, as an ordinary
role (row-level security applies, as in production) and with the dashboard's and the API's own
functions: page 1, a deep page by cursor, the API's deepest offset, searches and filters. Beside each
page: the capped count the list shows ("more than 10000") and, as the baseline, the exact count the
API used to compute on every page.

    .venv/bin/python bench/crm_lists.py [--contacts 200000]
    .venv/bin/python bench/crm_lists.py --again   # the same rows after `landform db upgrade`

Needs PostgreSQL (LANDFORM_BENCH_POSTGRES_ADMIN_URL; the database is LANDFORM_BENCH_DATABASE).
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.run import BIN, POSTGRES_ADMIN, POSTGRES_DB, as_app_role, database  # noqa: E402

FIRST = ["Jan", "Piet", "Kees", "Anna", "Sanne", "Fleur", "Daan", "Sem", "Lotte", "Emma", "Noah", "Liam"]
LAST = [
    "de Jong", "Jansen", "de Vries", "van den Berg", "van Dijk", "Bakker", "Visser", "Smit", "Meijer",
    "de Boer", "Mulder", "de Groot", "Bos", "Vos", "Peters", "Hendriks", "van Leeuwen", "Dekker",
]  # fmt: skip
TRADES = ["Bakkerij", "Bouw", "Techniek", "Advies", "Zorg", "Media", "Logistiek", "Installatie"]
COMPANY_COLUMNS = (
    "id tenant_id name address postcode city country phone vat_number kvk_number rsin visiting_address"
    " invoice_address website domain linkedin facebook twitter description created_at updated_at"
)
CONTACT_COLUMNS = (
    "id tenant_id email email_key first_name last_name phone company_name job_title gender language linkedin"
    " facebook twitter description owner_id source last_activity_at do_not_contact created_at updated_at"
)
RUNS = 5


def seed(url: str, contacts: int) -> dict[str, Any]:
    """COPY the rows in; returns what the cases need (see `seeded`)."""
    from advanced_alchemy.mixins.uuid import uuid7

    rng = random.Random(6)
    now = datetime.now(UTC)
    with psycopg.connect(url) as connection:
        (tenant_id,) = connection.execute(
            "SELECT tenant_id FROM user_account WHERE tenant_id IS NOT NULL ORDER BY created_at LIMIT 1"
        ).fetchone()
        users = [
            row[0]
            for row in connection.execute("SELECT id FROM user_account WHERE tenant_id = %s", (tenant_id,))
        ]
        companies = [f"{rng.choice(TRADES)} {rng.choice(LAST)} {n}" for n in range(20_000)]
        with connection.cursor().copy(
            f"COPY company ({', '.join(COMPANY_COLUMNS.split())}) FROM STDIN"
        ) as copy:
            for name in companies:
                domain = name.lower().replace(" ", "-") + ".nl"
                copy.write_row(
                    (
                        uuid7(),
                        tenant_id,
                        name,
                        "",
                        "",
                        "",
                        "NL",
                        "",
                        "",
                        "",
                        "",
                        "",
                        "",
                        "",
                        domain,
                        "",
                        "",
                        "",
                        "",
                        now,
                        now,
                    )
                )
        tags: list[tuple[Any, str]] = []
        with connection.cursor().copy(
            f"COPY contact ({', '.join(CONTACT_COLUMNS.split())}) FROM STDIN"
        ) as copy:
            for n in range(contacts):
                first, last = rng.choice(FIRST), rng.choice(LAST)
                domain = rng.choice(["gmail.com", "example.nl", "bedrijf.nl"])
                email = f"{first}.{last.replace(' ', '')}{n}@{domain}"
                contact_id = uuid7()
                source = rng.choices(["page", "embed", "api", "import"], [60, 30, 9, 1])[0]
                owner = rng.choice(users) if rng.random() < 0.8 else None
                moment = now - timedelta(seconds=rng.randrange(2 * 365 * 86400))
                copy.write_row(
                    (
                        contact_id, tenant_id, email, email.lower(), first, last, "", rng.choice(companies),
                        "", "", "nl", "", "", "", "", owner, source, moment, rng.random() < 0.01,
                        moment, moment,
                    )
                )  # fmt: skip
                if rng.random() < 0.05:
                    tags.append((contact_id, "beurs"))
                if rng.random() < 0.001:
                    tags.append((contact_id, "vip"))
        with connection.cursor().copy(
            "COPY contact_tag (id, tenant_id, contact_id, tag, created_at, updated_at) FROM STDIN"
        ) as copy:
            for contact_id, tag in tags:
                copy.write_row((uuid7(), tenant_id, contact_id, tag, now, now))
        connection.commit()
        connection.autocommit = True
        connection.execute("ANALYZE")
    return seeded(url)


def seeded(url: str) -> dict[str, Any]:
    """What the cases need of the seeded rows: the tenant, an owner, a rare address, a company name."""
    with psycopg.connect(url) as connection:
        tenant_id, owner_id = connection.execute(
            "SELECT tenant_id, id FROM user_account WHERE tenant_id IS NOT NULL ORDER BY created_at LIMIT 1"
        ).fetchone()

        def first(query: str, offset: int) -> Any:
            return connection.execute(f"{query} ORDER BY id LIMIT 1 OFFSET {offset}", (tenant_id,)).fetchone()

        return {
            "tenant_id": tenant_id,
            "owner_id": owner_id,
            "rare_email": first("SELECT email FROM contact WHERE tenant_id = %s", 777)[0],
            "company": first("SELECT name FROM company WHERE tenant_id = %s", 4321)[0],
            "contacts": connection.execute(
                "SELECT count(*) FROM contact WHERE tenant_id = %s", (tenant_id,)
            ).fetchone()[0],
        }


def median_ms(fn: Callable[[], Any]) -> tuple[float, Any]:
    result = fn()  # warm: the first run reads from disk, later ones from the cache, as a busy list does
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), result


def measure(app_url: str, facts: dict[str, Any]) -> list[tuple[str, float, float, int, float]]:
    os.environ["LANDFORM_DATABASE_URL"] = app_url
    from sqlalchemy import func, or_, select

    import landform.models  # noqa: F401  (every table, for the mappers)
    from landform.core.db import sync_session
    from landform.core.settings import DatabaseSettings
    from landform.crm_sink.contacts import search
    from landform.crm_sink.contacts.search import ContactFilter, Cursor
    from landform.crm_sink.models import Company, Contact

    rows: list[tuple[str, float, float, int, float]] = []
    with sync_session(DatabaseSettings(url=app_url).sync_url, facts["tenant_id"]) as session:

        def exact(conditions: list[Any], model: Any = Contact) -> Callable[[], int]:
            # What the API's `total` did before: count every match.
            query = select(model.id).where(model.tenant_id == facts["tenant_id"], *conditions)
            return lambda: session.execute(select(func.count()).select_from(query.subquery())).scalar_one()

        def case(name: str, filters: ContactFilter, cursor: Cursor | None = None) -> None:
            page_ms, _page = median_ms(lambda: search.contact_page(session, filters, cursor))
            count_ms, _counted = median_ms(lambda: search.capped_count(session, filters))
            exact_ms, total = median_ms(exact(filters.where()))
            rows.append((name, page_ms, count_ms, total, exact_ms))

        case("page 1, no filter", ContactFilter())
        deep = session.execute(
            select(Contact.last_activity_at, Contact.id)
            .order_by(Contact.last_activity_at.desc(), Contact.id.desc())
            .offset(len_deep := facts["contacts"] * 3 // 4)
            .limit(1)
        ).one()
        case(f"page at row {len_deep:,} (cursor)", ContactFilter(), Cursor(deep[0], deep[1]))
        deepest = search.COUNT_CAP
        offset_ms, _rows = median_ms(lambda: search.contact_offset_page(session, [], deepest, 50))
        rows.append((f"API offset {deepest:,} (the deepest allowed)", offset_ms, 0.0, 0, 0.0))
        # The offset paging as it was: one ORDER BY with NULLS LAST, which sorts every contact.
        ordered = (
            select(Contact)
            .order_by(Contact.last_activity_at.desc().nulls_last(), Contact.id.desc())
            .limit(50)
        )
        old_ms, _rows = median_ms(lambda: list(session.execute(ordered.offset(deepest)).scalars()))
        rows.append((f"  before: offset {deepest:,}, NULLS LAST", old_ms, 0.0, 0, 0.0))
        case("search: one person's full e-mail", ContactFilter(q=facts["rare_email"]))
        case("search: 'de vries' (a common name)", ContactFilter(q="de vries"))
        # The search as 0108 left it: every match from the trigram index, sorted, then the first page.
        walk, search.SEARCH_WALK = search.SEARCH_WALK, 0
        for label, text in (("one e-mail", facts["rare_email"]), ("'de vries'", "de vries")):
            page_ms, _page = median_ms(lambda q=text: search.contact_page(session, ContactFilter(q=q), None))
            rows.append((f"  before: {label}, trigram index only", page_ms, 0.0, 0, 0.0))
        search.SEARCH_WALK = walk
        case(f"search: '{facts['company'][:14]}' (a company)", ContactFilter(q=facts["company"][:14]))
        case("filter: owner", ContactFilter(owner=str(facts["owner_id"])))
        case("filter: tag 'vip' (0.1%)", ContactFilter(tag="vip"))
        case("filter: source 'import' (1%)", ContactFilter(source="import"))
        case("filter: do not contact (1%)", ContactFilter(consent="dnc"))
        # The search as it was (three LIKEs, which row-level security keeps from any index): the baseline.
        for label, text in (("one e-mail", facts["rare_email"]), ("'de vries'", "de vries")):
            term = f"%{text}%"
            old = or_(
                Contact.email_key.like(term),
                func.lower(Contact.first_name + " " + Contact.last_name).like(term),
                func.lower(Contact.company_name).like(term),
            )
            old_ms, _rows = median_ms(exact([old]))
            rows.append((f"  before: {label} as three LIKEs, exact count", old_ms, 0.0, 0, 0.0))
        by_name = [search.company_search(facts["company"][:14])]
        page = select(Company).where(*by_name).order_by(Company.name, Company.id).limit(51)
        company_ms, _rows = median_ms(lambda: list(session.execute(page).scalars()))
        company_count_ms, _n = median_ms(lambda: search.count_up_to(session, Company, by_name))
        company_exact_ms, company_total = median_ms(exact(by_name, Company))
        rows.append(
            (
                "companies (20,000): search by name",
                company_ms,
                company_count_ms,
                company_total,
                company_exact_ms,
            )
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--contacts", type=int, default=200_000)
    parser.add_argument(
        "--again",
        action="store_true",
        help="measure the rows the last run seeded, after `landform db upgrade` (a new index, before/after)",
    )
    args = parser.parse_args()
    if args.again:
        url = re.sub(r"/[^/]*$", f"/{POSTGRES_DB}", POSTGRES_ADMIN)
    else:
        url, backend = database()
        if backend != "PostgreSQL":
            raise SystemExit("this benchmark needs PostgreSQL")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LANDFORM_", "LITESTAR_"))}
    env.update(
        {"LANDFORM_DATABASE_URL": url, "LANDFORM_SECRET_KEY": "bench-secret-key-bench-secret-key-bench"}
    )
    for command in [["db", "upgrade"]] + ([] if args.again else [["demo"]]):
        subprocess.run([str(BIN / "landform"), *command], env=env, capture_output=True, check=True)
    if args.again:
        facts = seeded(url)
        print(f"The {facts['contacts']:,} contacts seeded before, after `landform db upgrade`")
    else:
        started = time.perf_counter()
        facts = seed(url, args.contacts)
        took = time.perf_counter() - started
        print(f"Seeded {args.contacts:,} contacts and 20,000 companies for one tenant in {took:.0f} s")
    with psycopg.connect(url) as connection:
        trigram = connection.execute(
            "SELECT 1 FROM pg_indexes WHERE indexname = 'ix_contact_search'"
        ).fetchone()
    index = "yes" if trigram else "no (pg_trgm not available)"
    print(
        f"trigram search index: {index}; as an ordinary role (row-level security); median of {RUNS} runs, ms"
    )
    print(f"\n{'query':<48} {'page':>8} {'count≤10,001':>13} {'matches':>9} {'exact count':>12}")
    for name, page_ms, count_ms, total, exact_ms in measure(as_app_role(url), facts):
        count = f"{count_ms:.1f}" if count_ms else "-"
        exact = f"{exact_ms:.1f}" if exact_ms else "-"
        matches = f"{total:,}" if total else "-"
        print(f"{name:<48} {page_ms:>8.1f} {count:>13} {matches:>9} {exact:>12}")


if __name__ == "__main__":
    main()
