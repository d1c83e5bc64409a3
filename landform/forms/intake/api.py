"""Server-side submissions through the JSON API: the intake pipeline without the browser's bot checks."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, Response, post
from litestar.exceptions import NotFoundException
from litestar.openapi.datastructures import ResponseSpec
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from landform.accounts.models import Tenant
from landform.core.i18n import get_language
from landform.core.mail_limits import mail_limiter
from landform.core.metrics import SUBMISSIONS
from landform.crm_sink.api import problems
from landform.forms.fields import SubmissionInvalid
from landform.forms.intake import pipeline
from landform.forms.intake.body import MAX_BODY, read_answers
from landform.forms.models import Form


class SubmissionAccepted(msgspec.Struct):
    id: UUID
    status: str


class SubmissionRefused(msgspec.Struct):
    status: str
    errors: dict[str, str]


class SubmissionsApi(Controller):
    """Submit to a form of the API key's tenant, from a server."""

    path = "/forms/{form_key:str}/submissions"
    tags = ["submissions"]

    @post(
        "/",
        request_max_body_size=MAX_BODY,
        status_code=201,
        responses={
            **problems(400, 401, 403, 404, 413, 415, 429),
            422: ResponseSpec(data_container=SubmissionRefused, description="Invalid answers"),
        },
    )
    async def submit(self, request: Request[Any, Any, Any], db: AsyncSession, form_key: str) -> Response[Any]:
        """Accept a submission (JSON object of field names to values): 201, or 422 with an error per field."""
        form = (await db.execute(select(Form).where(Form.key == form_key))).scalar_one_or_none()
        if form is None:
            raise NotFoundException(detail="No form with this key in your account.")
        tenant = await db.get_one(Tenant, form.tenant_id)
        version = await pipeline.live_version(db, form)
        if version is None:
            raise NotFoundException(detail="This form is not published yet.")
        try:
            raw = await read_answers(request)
            submission = await pipeline.accept_submission(
                db,
                form,
                version,
                version.number,
                raw,
                pipeline.SubmissionContext(source="api", language=get_language()),
                tenant.country,
                commit=True,
                mail_limiter=mail_limiter(request),
            )
            await db.commit()
        except SubmissionInvalid as invalid:
            SUBMISSIONS.labels("invalid").inc()
            return Response(SubmissionRefused(status="invalid", errors=invalid.errors), status_code=422)
        SUBMISSIONS.labels("accepted").inc()
        return Response(SubmissionAccepted(id=submission.id, status="accepted"), status_code=201)
