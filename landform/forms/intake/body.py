"""Reading a submission's answers from the request body: form data, multipart or JSON."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

import msgspec
from litestar import Request
from litestar.exceptions import ClientException, HTTPException
from litestar.status_codes import HTTP_415_UNSUPPORTED_MEDIA_TYPE

from landform.core.i18n import gettext as _
from landform.forms.fields import SubmissionInvalid

MAX_BODY = 64 * 1024


async def read_answers(request: Request[Any, Any, Any]) -> dict[str, Any]:
    """A submission's answers from a form-encoded, multipart or JSON body; 400/415 when unreadable."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "multipart/form-data":
        try:
            form = await request.form()
        except Exception as error:
            raise ClientException(detail=_("The form data could not be read.")) from error
        return {name: value for name, value in form.items() if isinstance(value, str)}
    body = await request.body()
    if content_type == "application/json":
        try:
            data = msgspec.json.decode(body)
        except (msgspec.DecodeError, UnicodeDecodeError, RecursionError) as error:
            # msgspec reports invalid UTF-8 inside a string and nesting deeper than the interpreter's
            # recursion limit with Python's own errors, not DecodeError: both are the sender's fault.
            raise ClientException(detail=_("The body is not valid JSON.")) from error
        if not isinstance(data, dict):
            raise ClientException(detail=_("Send a JSON object of field names and values."))
        wrong = {
            str(k): _("Expected text, a number or true/false.")
            for k, v in data.items()
            if isinstance(v, list | dict)
        }
        if wrong:
            raise SubmissionInvalid(wrong)
        return {str(k): v for k, v in data.items()}
    if content_type in {"application/x-www-form-urlencoded", "text/plain", ""}:
        try:
            return dict(
                parse_qsl(
                    body.decode("utf-8"),
                    keep_blank_values=True,
                    max_num_fields=200,
                    encoding="utf-8",
                    errors="strict",
                )
            )
        except (UnicodeDecodeError, ValueError) as error:
            raise ClientException(detail=_("The form data could not be read.")) from error
    raise HTTPException(
        status_code=HTTP_415_UNSUPPORTED_MEDIA_TYPE, detail=_("Send the form as form data or JSON.")
    )
