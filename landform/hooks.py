"""The extension points one domain offers the domains above it, filled once by `landform.wiring.wire()`.

A lower domain never imports a higher one (pyproject.toml's import-linter contracts). When it needs
something from above (the CRM showing a consent section on a contact, the intake re-rendering a landing
page), it calls a point declared here, and the wiring (which imports every domain) fills it. This is the
one mechanism for that: no registration at import time, no lookups in the app's state.

- `Hook`: any number of entries, used in the order `wire()` adds them (after routing, on a plan change, ...).
- `Slot`: exactly one function; calling an unfilled slot raises `NotWired` naming it.

The types exchanged here are plain: ids, sessions, and small protocols for what the caller hands over.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Generic, Protocol, TypeVar
from uuid import UUID

from litestar import Request, Response
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

T = TypeVar("T")


class NotWired(RuntimeError):
    """A slot was used before `landform.wiring.wire()` filled it."""


class Hook(Generic[T]):
    """An extension point any number of entries fill; iterating gives them in the order they were added."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._entries: list[T] = []

    def add(self, entry: T) -> None:
        if entry not in self._entries:  # wire() may run more than once in a process (tests, CLI)
            self._entries.append(entry)

    def __iter__(self) -> Iterator[T]:
        return iter(tuple(self._entries))


class Slot(Generic[T]):
    """An extension point exactly one function fills."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._function: T | None = None

    def fill(self, function: T) -> None:
        self._function = function

    def get(self) -> T:
        if self._function is None:
            raise NotWired(f"hook {self.name!r} is not filled: call landform.wiring.wire() at start-up")
        return self._function


class ContactRef(Protocol):
    """What a section of a contact's page is given: the contact row (crm_sink's `Contact`)."""

    @property
    def id(self) -> UUID: ...


class PlanRef(Protocol):
    """What a plan-change hook is given: billing's `Plan`."""

    def has(self, feature: str) -> bool: ...


@dataclass
class FormSummary:
    """What lead routing needs to know of a form: its id, name, and fields as (name, label)."""

    id: UUID
    name: str
    fields: list[tuple[str, str]]


# crm_sink: after a tenant's share of a routing batch is written, in its transaction, with row-level
# security set to that tenant, with (submission id, contact id) pairs (consent links its records;
# webhooks queues its events).
AfterRouting = Callable[[Session, UUID, list[tuple[UUID, UUID]]], None]
after_routing: Hook[AfterRouting] = Hook("after_routing")

# crm_sink: a marketer saved or merged a contact (webhooks sends contact.updated).
ContactChanged = Callable[[Session, Any], None]
contact_changed: Hook[ContactChanged] = Hook("contact_changed")

# crm_sink: sections other domains add to a contact's page, as (template, context).
ContactSection = Callable[[AsyncSession, ContactRef], Awaitable[tuple[str, dict[str, Any]]]]
contact_sections: Hook[ContactSection] = Hook("contact_sections")

# crm_sink: for the contacts CSV, each contact's standing consents in words ("Newsletter (2026-12-01)"),
# by contact id, in the current language (consent fills it).
ContactConsents = Callable[[Session, list[UUID]], dict[UUID, str]]
contact_consents: Slot[ContactConsents] = Slot("contact_consents")

# crm_sink: the tenant's forms, for lead-routing rules and field mapping (forms fills it).
FormCatalog = Callable[[AsyncSession], Awaitable[list[FormSummary]]]
form_catalog: Slot[FormCatalog] = Slot("form_catalog")

# billing: the tenant moved from one plan to another (webhooks resumes what waited).
PlanChanged = Callable[[Session, UUID, PlanRef, PlanRef], None]
plan_changed: Hook[PlanChanged] = Hook("plan_changed")

# billing: which model's rows count against which plan limit ("pages", "forms"), beside accounts' users.
counted_rows: Hook[tuple[str, Any]] = Hook("counted_rows")

# accounts: a new account was signed up, with (tenant id, its owner's user id); the entries only add rows.
TenantCreated = Callable[[Session, UUID, UUID], None]
tenant_created: Hook[TenantCreated] = Hook("tenant_created")

# accounts: is there room in the plan for one more of this kind ("users")? Raises billing's QuotaExceeded.
EnsureRoom = Callable[[AsyncSession, str], Awaitable[None]]
ensure_room: Slot[EnsureRoom] = Slot("ensure_room")

# consent: the websites a tenant allowed its forms on, where its cookie banner script may run too.
AllowedOrigins = Callable[[AsyncSession], Awaitable[set[str]]]
allowed_origins: Slot[AllowedOrigins] = Slot("allowed_origins")

# analytics: what it counted, named for its reports: ("page", {id: title}) from site, ("form", {id: name})
# from forms, in the order a marketer looks for them.
TrafficTitles = Callable[[AsyncSession], Awaitable[tuple[str, dict[UUID, str]]]]
traffic_titles: Hook[TrafficTitles] = Hook("traffic_titles")

# forms: a published landing page around a form with errors, for the intake's 422 (site fills it).
PageRenderer = Callable[
    [Request[Any, Any, Any], AsyncSession, UUID, dict[str, Any]], Awaitable[Response[Any] | None]
]
page_renderer: Slot[PageRenderer] = Slot("page_renderer")

# forms: the tenant's brand as a stylesheet of custom properties on `:host`, for the embedded form's shadow
# root (site fills it from the brand; the embed script adopts it).
EmbedStyle = Callable[[AsyncSession], Awaitable[str]]
embed_style: Slot[EmbedStyle] = Slot("embed_style")

# forms: the pages whose draft uses a form, as (title, published), so archiving or deleting it breaks none.
PagesWithForm = Callable[[AsyncSession, UUID], Awaitable[list[tuple[str, bool]]]]
pages_with_form: Slot[PagesWithForm] = Slot("pages_with_form")

# privacy: what other domains hold on a person joins the export and the erasure. An export section gets
# (session, tenant id, e-mail key) and returns (section name, rows); an eraser gets (session, tenant id,
# e-mail key, contact ids) and returns how many rows it anonymized.
ExportSection = Callable[[Session, UUID, str], tuple[str, list[dict[str, Any]]]]
export_sections: Hook[ExportSection] = Hook("export_sections")
Eraser = Callable[[Session, UUID, str, list[UUID]], int]
erasers: Hook[Eraser] = Hook("erasers")


# privacy: what a tenant's retention periods remove, by kind ("spam", "uploads", "unfinished", ...): the
# daily job calls `purge_due(session, tenant id, before)` with the session scoped to the tenant, and it
# anonymizes or deletes that tenant's rows older than `before`, at most a batch, returning how many;
# `count_due` answers the same question without removing anything (the 30-day outlook), when given.
PurgeDue = Callable[[Session, UUID, datetime], int]


@dataclass(frozen=True)
class RetentionPurge:
    kind: str
    purge_due: PurgeDue
    count_due: PurgeDue | None = None


retention_purges: Hook[RetentionPurge] = Hook("retention_purges")
# crm_sink: a user changed a contact's lifecycle stage, with (session, contact, {"from", "to", "by",
# "reason"}) in the change's transaction (webhooks sends contact.stage_changed).
StageChanged = Callable[[Session, Any, dict[str, Any]], None]
contact_stage_changed: Hook[StageChanged] = Hook("contact_stage_changed")
# analytics: a form's steps as (name, title) in order, for the drop-off funnel (forms fills it).
FormSteps = Callable[[AsyncSession, UUID], Awaitable[list[tuple[str, str]]]]
form_steps: Slot[FormSteps] = Slot("form_steps")
# privacy: files that travel in a person's export zip beside its sections, as (name in the zip, path on
# disk), from (session, tenant id, e-mail key) (forms fills it with the files sent with their submissions).
ExportFiles = Callable[[Session, UUID, str], list[tuple[str, Path]]]
export_files: Hook[ExportFiles] = Hook("export_files")
