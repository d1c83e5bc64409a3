"""Forms with a file field, and files to send: real images and PDFs, and hostile ones."""

from __future__ import annotations

import io
from typing import Any

from PIL import Image
from PIL.PngImagePlugin import PngInfo
from pypdf import PdfWriter
from pypdf.generic import DictionaryObject, NameObject, TextStringObject
from sqlalchemy.orm import Session

from landform.forms.models import Form
from tests.conftest import Persona, form_token, make_form, republish


def file_form(db: Session, persona: Persona, **settings: Any) -> Form:
    form = make_form(db, persona, "Quote with photos")
    form.fields = [
        *form.fields,
        {
            "name": "attachment",
            "type": "file",
            "required": False,
            "label": {"nl": "Foto of offerte", "en": "Photo or quote"},
            "accept": ["image", "pdf"],
            "max_mb": 1,
            "max_files": 2,
            **settings,
        },
    ]
    republish(db, form)
    return form


def png(size: tuple[int, int] = (40, 20)) -> bytes:
    out = io.BytesIO()
    image = Image.new("RGB", size, (200, 30, 30))
    info = PngInfo()
    info.add_text("Comment", "taken at home, 52.37N 4.89E")
    image.save(out, format="PNG", pnginfo=info)
    return out.getvalue()


def pdf(*, script: bool = False, attachment: bool = False) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    if script:
        # What a malicious quote carries: a script that runs when the document opens.
        action = DictionaryObject(
            {NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("app.alert(1)")}
        )
        writer._root_object[NameObject("/OpenAction")] = writer._add_object(action)
    if attachment:
        writer.add_attachment("payload.exe", b"MZ\x90\x00 not really")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def answers(client: Any, form: Form) -> dict[str, str]:
    return {
        "first_name": "Femke",
        "email": "femke@example.com",
        "_lf_token": form_token(client, f"/f/{form.key}"),
    }
