"""Where the domains are joined: `wire()` fills every extension point of `landform/hooks.py`.

The app factory, the worker processes and the CLI call it at start-up; it may run more than once.
"""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.orm import Session

import landform.consent.visitor_copy
import landform.core.mail
import landform.crm_sink.imports.services
import landform.crm_sink.notify.chat
import landform.crm_sink.notify.owner_mail
import landform.crm_sink.notify.routed
import landform.crm_sink.routing_job
import landform.ops.jobs
import landform.privacy.fulfilment.job
import landform.webhooks.actors
from landform import hooks
from landform.analytics.controllers import journey_section
from landform.billing.quotas import ensure_room
from landform.consent import services as consent
from landform.consent import visitor_copy
from landform.consent.standing import standing_consents
from landform.crm_sink.assignment import admin as routing_admin
from landform.crm_sink.imports import services as contact_imports
from landform.crm_sink.notify import routed as lead_notices
from landform.crm_sink.pipeline import controllers as pipeline_screens
from landform.crm_sink.pipeline import privacy as pipeline_privacy
from landform.crm_sink.pipeline import stages as pipeline_stages
from landform.crm_sink.work import privacy as work_privacy
from landform.forms.builder import catalog as forms
from landform.forms.intake.resume import services as saved_answers
from landform.forms.models import Form
from landform.forms.uploads import controllers as upload_controllers
from landform.forms.uploads import privacy as upload_privacy
from landform.site import lifecycle as page_lifecycle
from landform.site import services as site
from landform.site.controllers import render_with_form
from landform.site.models import Page
from landform.webhooks import endpoints as webhook_endpoints
from landform.webhooks import events as webhook_events

# The modules that declare background jobs (`@job`): every process that sends or runs jobs knows them all.
JOB_MODULES = (
    landform.consent.visitor_copy,
    landform.core.mail,
    landform.crm_sink.imports.services,
    landform.crm_sink.notify.chat,
    landform.crm_sink.notify.owner_mail,
    landform.crm_sink.notify.routed,
    landform.crm_sink.routing_job,
    landform.ops.jobs,
    landform.privacy.fulfilment.job,
    landform.webhooks.actors,
)


def wire() -> None:
    """Fill every hook point (idempotent)."""
    # A routed lead: consent records learn their contact first, then webhooks tell the tenant's systems.
    hooks.after_routing.add(consent.link_routed)
    hooks.after_routing.add(webhook_events.after_routing)
    # Then people are told: the owner and the team channel, and the visitor gets their confirmation.
    hooks.after_routing.add(lead_notices.after_routing)
    hooks.after_routing.add(visitor_copy.after_routing)
    hooks.contact_changed.add(webhook_events.contact_changed)
    hooks.contact_stage_changed.add(webhook_events.stage_changed)
    hooks.contact_sections.add(pipeline_screens.contact_section)
    hooks.contact_sections.add(consent.contact_section)
    hooks.contact_consents.fill(standing_consents)
    hooks.contact_sections.add(journey_section)
    hooks.contact_sections.add(upload_controllers.contact_section)
    hooks.form_catalog.fill(forms.form_catalog)
    hooks.form_steps.fill(forms.form_steps)

    hooks.plan_changed.add(webhook_endpoints.resume_after_upgrade)
    hooks.counted_rows.add(("pages", Page))
    hooks.counted_rows.add(("forms", Form))
    hooks.ensure_room.fill(ensure_room)
    hooks.tenant_created.add(routing_admin.default_owner)
    hooks.tenant_created.add(pipeline_stages.default_stages)

    hooks.allowed_origins.fill(forms.allowed_origins)
    hooks.traffic_titles.add(site.page_titles)
    hooks.traffic_titles.add(forms.form_titles)
    hooks.page_renderer.fill(render_with_form)
    hooks.embed_style.fill(site.embed_stylesheet)
    hooks.pages_with_form.fill(page_lifecycle.pages_with_form)

    hooks.export_sections.add(webhook_events.privacy_export)
    hooks.erasers.add(webhook_events.webhook_events)
    hooks.export_sections.add(pipeline_privacy.privacy_export)
    hooks.erasers.add(pipeline_privacy.erase_deals)
    hooks.export_sections.add(work_privacy.privacy_export)
    hooks.erasers.add(work_privacy.erase_work)
    # An import's refused rows name people too.
    hooks.export_sections.add(contact_imports.export_section)
    hooks.erasers.add(contact_imports.erase)
    hooks.export_sections.add(upload_privacy.export_section)
    hooks.export_files.add(upload_privacy.export_files)
    hooks.erasers.add(upload_privacy.erase)
    hooks.retention_purges.add(
        hooks.RetentionPurge("uploads", upload_privacy.purge_due, upload_privacy.count_due)
    )
    # Answers saved to finish a form later: in the person's copy, gone on erasure and after the period.
    hooks.export_sections.add(saved_answers.export_section)
    hooks.erasers.add(saved_answers.erase)
    hooks.retention_purges.add(
        hooks.RetentionPurge("unfinished", saved_answers.purge_due, saved_answers.count_due)
    )

    # A submission given its contact through the ORM (a parent's consent, a merge) links its consent
    # records in the same flush; the batch router does the same through `after_routing`.
    if not event.contains(Session, "after_flush", consent.fill_in_contacts):
        event.listen(Session, "after_flush", consent.fill_in_contacts)
