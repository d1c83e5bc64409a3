"""The tenant's cookie policy version: raising it asks every visitor for their cookie choice again.

For when the tenant starts using a new kind of cookie or changes what one is for: a choice made under
an older version no longer counts (see cookies.read_choice), so the banner shows again.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, post
from litestar.di import Provide
from litestar.plugins.flash import flash
from litestar.response import Redirect
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from landform.accounts.guards import MANAGERS, provide_tenant_db, requires_role
from landform.accounts.models import Tenant, User
from landform.core.i18n import gettext as _


class CookiePolicyController(Controller):
    path = "/app/consent/cookie-policy"
    include_in_schema = False
    guards = [requires_role(*MANAGERS)]
    dependencies = {"db": Provide(provide_tenant_db)}

    @post("/")
    async def ask_again(self, request: Request[User, Any, Any], db: AsyncSession) -> Redirect:
        """A new policy version: every visitor's earlier cookie choice stops counting."""
        version = (
            await db.execute(
                update(Tenant)
                .where(Tenant.id == request.user.tenant_id)
                .values(cookie_policy_version=Tenant.cookie_policy_version + 1)
                .returning(Tenant.cookie_policy_version)
            )
        ).scalar_one()
        await db.commit()
        flash(
            request,
            _("Cookie policy version %(n)d: visitors are asked for their cookie choice again.", n=version),
            category="success",
        )
        return Redirect("/app/consent/purposes")

    @post("/google-consent-mode")
    async def google_consent_mode(self, request: Request[User, Any, Any], db: AsyncSession) -> Redirect:
        """Switch Google Consent Mode v2 in the site banner script on or off (it changes the snippet)."""
        on = (await request.form()).get("google_consent_mode") == "on"
        await db.execute(
            update(Tenant).where(Tenant.id == request.user.tenant_id).values(google_consent_mode=on)
        )
        await db.commit()
        flash(
            request,
            _("Google Consent Mode is on: paste the new snippet in your site's head, above any Google tag.")
            if on
            else _("Google Consent Mode is off: the snippet below no longer sets it."),
            category="success",
        )
        return Redirect("/app/consent/purposes#site-banner")
