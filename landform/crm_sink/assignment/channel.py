"""The team channel of a tenant's routing settings: which chats there are, and checking an address typed."""

from __future__ import annotations

import httpx

from landform.core import egress
from landform.core.i18n import gettext as _
from landform.core.settings import get_settings

CHATS = ("slack", "teams", "mattermost", "google_chat")


def chat_names() -> dict[str, str]:
    return {
        "slack": "Slack",
        "teams": "Microsoft Teams",
        "mattermost": "Mattermost",
        "google_chat": "Google Chat",
    }


def check_channel(kind: str, url: str) -> dict[str, str]:
    """Errors per field of a channel a marketer typed (empty URL: no channel)."""
    if not url:
        return {}
    if kind not in CHATS:
        return {"chat_kind": _("Choose which chat the address belongs to.")}
    settings = get_settings().webhooks
    try:
        target = httpx.URL(url)
        if target.scheme != "https" and not (settings.allow_private_targets and target.scheme == "http"):
            raise egress.TargetRefused(_("The address must start with https://."))
        egress.vetted_address(target, allow_private=settings.allow_private_targets)
    except (httpx.InvalidURL, egress.TargetRefused) as error:
        message = str(error) if isinstance(error, egress.TargetRefused) else _("This is not a valid address.")
        return {"chat_webhook_url": message}
    return {}
