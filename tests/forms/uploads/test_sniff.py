"""The bytes decide: what a file is, and whether a PDF can run anything, however it is disguised."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pypdf import PdfWriter
from pypdf.generic import DictionaryObject, NameObject, TextStringObject

from landform.forms.uploads.sniff import FileRefused, accept, check_pdf
from tests.forms.uploads.helpers import pdf, png


def _file(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "upload"
    path.write_bytes(data)
    return path


def _escaped_launch() -> bytes:
    """A PDF whose open action launches a program, its names written with #xx escapes a byte search misses."""
    writer = PdfWriter()
    writer.add_blank_page(width=100, height=100)
    action = DictionaryObject(
        {NameObject("/S"): NameObject("/Launch"), NameObject("/F"): TextStringObject("calc.exe")}
    )
    writer._root_object[NameObject("/OpenAction")] = writer._add_object(action)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue().replace(b"/Launch", b"/L#61unch")


def test_it_reads_escaped_names_a_byte_search_would_miss(tmp_path):
    data = _escaped_launch()
    assert b"/Launch" not in data
    with pytest.raises(FileRefused, match="scripts"):
        check_pdf(_file(tmp_path, data))


def test_it_passes_a_plain_pdf_and_rewrites_an_image(tmp_path):
    assert accept(_file(tmp_path, pdf()), ["pdf"], 1024 * 1024) == ("application/pdf", None)
    content_type, rewritten = accept(_file(tmp_path, png()), ["image"], 1024 * 1024)
    assert content_type == "image/png" and rewritten is not None and rewritten.startswith(b"\x89PNG")


@pytest.mark.parametrize(
    "data",
    [b"%PDF-1.7\n1 0 obj <</Type /Catalog", b"<svg onload=alert(1)>", b"#!/bin/sh\nrm -rf /", b""],
)
def test_it_refuses_what_it_cannot_read_or_does_not_take(tmp_path, data):
    with pytest.raises(FileRefused):
        accept(_file(tmp_path, data), ["image", "pdf"], 1024 * 1024)
