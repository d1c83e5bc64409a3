"""The schedule: every periodic job, one line each. Times are UTC; see landform/ops/schedule.py."""

from __future__ import annotations

from landform.accounts.retention import purge_account_records_job
from landform.billing.quotas import release_held_job
from landform.billing.services import end_grace_job
from landform.consent.minors import purge_expired_holds_job
from landform.core import retention
from landform.core.jobs.sweep import sweep
from landform.crm_sink.assignment.speed import reassign_untouched
from landform.crm_sink.imports.services import sweep as sweep_imports
from landform.crm_sink.notify.owner_mail import send_digests
from landform.crm_sink.work.morning import send_task_mails
from landform.forms.spam_folder.services import purge_old_spam_job
from landform.forms.uploads.services import sweep_orphans_job
from landform.ops import backup, health
from landform.ops.schedule import cron, every
from landform.privacy import deadlines, deletion
from landform.privacy.retention.services import run_daily as retention_daily
from landform.site import domain_checks
from landform.site import schedule as page_schedule

# Old sweep ticks are dropped (max_age): the next one does the same work.
every("outbox_sweep", seconds=lambda s: s.queue.sweep_interval_seconds, max_age=60_000)(sweep)
every("worker_heartbeat", seconds=health.HEARTBEAT_SECONDS)(health.record_heartbeat)
cron("retention_purge", "7 * * * *")(retention.purge_expired)
cron("consent_purge_expired_holds", "37 * * * *")(purge_expired_holds_job)
cron("spam_purge", "47 * * * *")(purge_old_spam_job)
# Files of submissions that never committed, or whose submission is gone (a parent said no).
cron("uploads_sweep", "17 * * * *")(sweep_orphans_job)
# Held leads go out as soon as there is room: an upgrade missed by the webhook, or a new month (UTC).
cron("billing_release_held", "1 * * * *")(release_held_job)
cron("billing_end_grace", "21 * * * *")(end_grace_job)
cron("accounts_purge", "27 * * * *")(purge_account_records_job)
cron("privacy_reminders", "23 * * * *")(deadlines.remind_due)
cron("privacy_purge", "53 * * * *")(deadlines.purge_expired)
cron("account_deletion", "13 * * * *")(deletion.run_due)
# Each tenant's own retention periods (privacy/retention), once a night, in batches.
cron("retention_daily", "33 3 * * *", time_limit=3 * 3600_000)(retention_daily)
# Owners who chose an hourly or daily digest of their new leads (each user's own period, see owner_mail).
cron("lead_digests", "3 * * * *")(send_digests)
# Speed to lead: untouched leads handed on (see crm_sink/assignment/speed.py), and each user's morning
# e-mail of their tasks at about 07:00 their time (a quarter-hourly run finds whose morning has come).
cron("speed_to_lead", "*/5 * * * *", time_limit=10 * 60_000)(reassign_untouched)
cron("task_mails", "*/15 * * * *")(send_task_mails)
# Import files nobody started within a day, old reports' refused rows, routed batches long told of.
cron("imports_sweep", "17 * * * *")(sweep_imports)
# Scheduled publishes go live within a minute; a tick that waited longer is dropped, the next does the same.
every("pages_scheduled_publish", seconds=60, max_retries=0, time_limit=5 * 60_000, max_age=120_000)(
    page_schedule.publish_due
)
# Each verified host at most once a day (a failed check only counts, see site/domains.py).
cron("domains_recheck", "43 4 * * *", max_retries=3, time_limit=30 * 60_000, max_age=6 * 3600_000)(
    domain_checks.recheck_verified
)
cron("backup_daily", "15 2 * * *", time_limit=3 * 3600_000, max_retries=3, min_backoff=600_000)(
    backup.scheduled_backup
)
