"""Teams: invitations by signed e-mail link, roles, removing members (profiles: profiles.py).

Who may do what: owners and admins manage the team, but only an owner may make someone an owner or
change or remove an owner (that is handing over the company), and the last owner can never be
demoted or removed. Nobody removes themselves here.
"""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from landform.accounts import audit
from landform.accounts.models import AccountImage, Invitation, Role, Tenant, User
from landform.accounts.services import AccountInvalid, check_password, normalize_email
from landform.accounts.sessions import ClientInfo
from landform.core import security
from landform.core.db import utcnow
from landform.core.i18n import LANGUAGES, lazy_gettext
from landform.core.i18n import gettext as _
from landform.core.mail import queue_email
from landform.core.mail_limits import MailLimiter
from landform.core.text import normalize_text

INVITE_PURPOSE = "team-invite"
INVITE_MAX_AGE = 7 * 24 * 3600
ROLE_NAMES = {
    Role.OWNER: lazy_gettext("Owner"),
    Role.ADMIN: lazy_gettext("Admin"),
    Role.MARKETER: lazy_gettext("Marketer"),
    Role.SALES_REP: lazy_gettext("Sales rep"),
}


class NotAllowed(Exception):
    """The acting user's role does not allow this change; the message says why."""


class NotFound(Exception):
    """No such member or invitation in this tenant."""


def _role(raw: str) -> Role:
    try:
        return Role(raw)
    except ValueError:
        raise AccountInvalid({"role": _("Choose one of the roles.")}) from None


def _may_grant(actor: User, role: Role) -> None:
    if role is Role.OWNER and actor.role is not Role.OWNER:
        raise NotAllowed(_("Only an owner can make someone an owner."))


async def _owners(db: AsyncSession) -> int:
    return int((await db.execute(select(func.count(User.id)).where(User.role == Role.OWNER))).scalar_one())


async def members(db: AsyncSession) -> list[User]:
    return list((await db.execute(select(User).order_by(User.first_name, User.last_name))).scalars())


async def pending_invitations(db: AsyncSession) -> list[Invitation]:
    return list(
        (
            await db.execute(
                select(Invitation)
                .where(Invitation.accepted_at.is_(None))
                .order_by(Invitation.created_at.desc())
            )
        ).scalars()
    )


async def invite(
    db: AsyncSession,
    actor: User,
    email: str,
    role_name: str,
    client: ClientInfo,
    limiter: MailLimiter | None = None,
) -> Invitation:
    """Invite an address into the actor's team with a role; the e-mail carries a link valid for a week.

    When the address was mailed enough for now (`limiter`) the earlier invitation stays, unchanged.
    """
    address = normalize_email(email)
    role = _role(role_name)
    _may_grant(actor, role)
    if (await db.execute(select(User.id).where(User.email == address))).first() is not None:
        raise AccountInvalid({"email": _("This person is already in your team.")})
    if limiter is not None and not await limiter.allows(address, f"invite:{actor.tenant_id}"):
        raise AccountInvalid(
            {
                "email": _(
                    "This address had an e-mail from us a few minutes ago, or many today, so we send no "
                    "other now. An earlier invitation still works; or invite again later."
                )
            }
        )
    # Inviting again replaces the earlier invitation, so only the newest link works.
    await db.execute(delete(Invitation).where(Invitation.email == address, Invitation.accepted_at.is_(None)))
    invitation = Invitation(tenant_id=actor.tenant_id, email=address, role=role, invited_by_id=actor.id)
    db.add(invitation)
    await db.flush()
    await db.run_sync(
        queue_email,
        to=address,
        template="team_invite",
        language=actor.tenant.default_language,
        tenant_id=actor.tenant_id,
        inviter=actor.full_name,
        company=actor.tenant.name,
        role=ROLE_NAMES[role],  # lazy: translated in the e-mail's language
        token=security.sign(INVITE_PURPOSE, str(invitation.id)),
    )
    await db.run_sync(
        audit.record,
        "invite_sent",
        tenant_id=actor.tenant_id,
        actor=actor,
        subject_label=address,
        client=client,
        role=role,
    )
    return invitation


async def revoke_invitation(
    db: AsyncSession, actor: User, invitation_id: UUID, client: ClientInfo
) -> Invitation:
    invitation = (
        await db.execute(
            select(Invitation).where(Invitation.id == invitation_id, Invitation.accepted_at.is_(None))
        )
    ).scalar_one_or_none()
    if invitation is None:
        raise NotFound()
    _may_grant(actor, invitation.role)
    await db.delete(invitation)
    await db.run_sync(
        audit.record,
        "invite_revoked",
        tenant_id=actor.tenant_id,
        actor=actor,
        subject_label=invitation.email,
        client=client,
    )
    return invitation


async def invitation_for_token(db: AsyncSession, token: str) -> tuple[Invitation, Tenant]:
    """The open invitation a link is for; AccountInvalid (key "token") when it is forged, used or expired."""
    invalid = AccountInvalid(
        {"token": _("This invitation is not valid any more. Invitations work once, for seven days.")}
    )
    try:
        invitation_id = UUID(str(security.unsign(INVITE_PURPOSE, token, max_age=INVITE_MAX_AGE)))
    except security.TokenExpired as error:
        raise AccountInvalid(
            {"token": _("This invitation has expired. Ask your colleague to invite you again.")}
        ) from error
    except (security.TokenInvalid, ValueError) as error:
        raise invalid from error
    found = (
        await db.execute(
            select(Invitation, Tenant)
            .join(Tenant, Tenant.id == Invitation.tenant_id)
            .where(Invitation.id == invitation_id, Invitation.accepted_at.is_(None))
            .execution_options(all_tenants=True)
        )
    ).first()
    if found is None:
        raise invalid
    return found.tuple()


async def accept_invitation(db: AsyncSession, token: str, data: dict[str, str], client: ClientInfo) -> User:
    """Create the invitee's account from the link: they choose their name and password."""
    invitation, tenant = await invitation_for_token(db, token)
    errors: dict[str, str] = {}
    first_name = normalize_text(data.get("first_name"))[:100]
    last_name = normalize_text(data.get("last_name"))[:100]
    if not first_name:
        errors["first_name"] = _("Please fill in your first name.")
    if not last_name:
        errors["last_name"] = _("Please fill in your last name.")
    try:
        check_password(data.get("password", ""), personal=(invitation.email,))
    except AccountInvalid as error:
        errors.update(error.errors)
    if errors:
        raise AccountInvalid(errors)
    taken = (
        await db.execute(
            select(User.id).where(User.email == invitation.email).execution_options(all_tenants=True)
        )
    ).first()
    if taken is not None:
        raise AccountInvalid(
            {
                "token": _(
                    "This e-mail address already has a Landform account, and an account belongs to one "
                    "company. Ask to be invited with another address."
                )
            }
        )
    # Taking the invitation with a conditional update makes it single-use even for two clicks at once.
    claimed = await db.execute(
        update(Invitation)
        .where(Invitation.id == invitation.id, Invitation.accepted_at.is_(None))
        .values(accepted_at=utcnow())
        .execution_options(all_tenants=True, synchronize_session=False)
    )
    if not getattr(claimed, "rowcount", 0):
        raise AccountInvalid(
            {"token": _("This invitation is not valid any more. Invitations work once, for seven days.")}
        )
    language = data.get("language", "")
    user = User(
        tenant_id=tenant.id,
        email=invitation.email,
        password_hash=security.hash_password(data["password"]),
        first_name=first_name,
        last_name=last_name,
        language=language if language in LANGUAGES else tenant.default_language,
        role=invitation.role,
        # The link reached this mailbox: the address is confirmed.
        email_confirmed_at=utcnow(),
    )
    user.tenant = tenant
    db.add(user)
    await db.flush()
    await db.run_sync(
        audit.record, "invite_accepted", tenant_id=tenant.id, actor=user, subject=user, client=client
    )
    return user


async def _member(db: AsyncSession, member_id: UUID) -> User:
    member = (await db.execute(select(User).where(User.id == member_id))).scalar_one_or_none()
    if member is None:
        raise NotFound()
    return member


async def change_role(
    db: AsyncSession, actor: User, member_id: UUID, role_name: str, client: ClientInfo
) -> User:
    member = await _member(db, member_id)
    role = _role(role_name)
    if role is member.role:
        return member
    _may_grant(actor, role)
    if member.role is Role.OWNER:
        if actor.role is not Role.OWNER:
            raise NotAllowed(_("Only an owner can change an owner's role."))
        if await _owners(db) <= 1:
            raise NotAllowed(_("Every team needs an owner: make someone else owner first."))
    before = member.role
    member.role = role
    await db.run_sync(
        audit.record,
        "role_changed",
        tenant_id=actor.tenant_id,
        actor=actor,
        subject=member,
        client=client,
        before=before,
        after=role,
    )
    return member


async def remove_member(db: AsyncSession, actor: User, member_id: UUID, client: ClientInfo) -> User:
    member = await _member(db, member_id)
    if member.id == actor.id:
        raise NotAllowed(_("You cannot remove yourself. Ask another owner or admin."))
    if member.role is Role.OWNER:
        if actor.role is not Role.OWNER:
            raise NotAllowed(_("Only an owner can remove an owner."))
        if await _owners(db) <= 1:
            raise NotAllowed(_("Every team needs an owner: make someone else owner first."))
    await db.run_sync(
        audit.record,
        "member_removed",
        tenant_id=actor.tenant_id,
        actor=actor,
        subject_label=member.full_name,
        client=client,
        role=member.role,
    )
    if member.photo_id:
        await db.execute(delete(AccountImage).where(AccountImage.id == member.photo_id))
    # Their sessions, recovery codes go with them (ON DELETE CASCADE); what they made stays, unattributed.
    await db.delete(member)
    return member
