"""Uploaded images are re-written by Pillow: no EXIF (no GPS position), capped in size, bombs refused."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import ExifTags, Image
from sqlalchemy import select

from landform.core.images import MAX_OUTPUT_SIDE, ImageRefused, clean_image
from landform.site.models import Page, SiteImage
from tests.conftest import csrf_token, log_in, make_page

AMSTERDAM = ((52.0, 22.0, 21.6), (4.0, 53.0, 42.0))


def photo_with_gps(size: tuple[int, int] = (640, 480), orientation: int = 1) -> bytes:
    """A JPEG as a phone writes it: camera make, orientation and the GPS position in its EXIF."""
    picture = Image.new("RGB", size, (200, 120, 40))
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneMaker"
    exif[ExifTags.Base.Orientation] = orientation
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = AMSTERDAM[0]
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = AMSTERDAM[1]
    out = io.BytesIO()
    picture.save(out, "JPEG", exif=exif, quality=90)
    return out.getvalue()


def _gps_of(data: bytes) -> dict[int, object]:
    with Image.open(io.BytesIO(data)) as picture:
        return dict(picture.getexif().get_ifd(ExifTags.IFD.GPSInfo))


def _upload(client, page: Page, block_id: str, name: str, data: bytes, mime: str):
    return client.post(
        f"/app/pages/{page.id}/blocks/{block_id}",
        data={"_csrf_token": csrf_token(client), "nl_alt": "Een foto"},
        files={"image_id": (name, data, mime)},
        follow_redirects=False,
    )


def test_it_strips_the_gps_position_from_an_uploaded_photo(client, db, owner):
    original = photo_with_gps()
    assert _gps_of(original)[ExifTags.GPS.GPSLatitude] == AMSTERDAM[0]  # the test photo does carry it
    page = make_page(db, owner, None)
    log_in(client, owner)
    client.post(
        f"/app/pages/{page.id}/blocks",
        data={"_csrf_token": csrf_token(client), "type": "image"},
        follow_redirects=False,
    )
    db.expire_all()
    block = next(b for b in db.get(Page, page.id).blocks if b["type"] == "image")
    response = _upload(client, page, block["id"], "vakantie.jpg", original, "image/jpeg")
    assert response.status_code in (302, 303), response.text

    image = db.execute(select(SiteImage).execution_options(all_tenants=True)).scalar_one()
    served = client.get(f"/p/acme/_img/{image.id}").content
    assert served == image.data != original
    assert _gps_of(served) == {}
    assert b"Exif" not in served and b"PhoneMaker" not in served
    with Image.open(io.BytesIO(served)) as picture:
        assert picture.format == "JPEG" and picture.size == (640, 480)
        assert not picture.getexif()


def test_it_turns_a_photo_upright_before_dropping_its_orientation():
    clean = clean_image(photo_with_gps((300, 200), orientation=6))  # 6: rotate 90° to view
    assert (clean.width, clean.height) == (200, 300)


def test_it_caps_the_longest_side_and_keeps_the_format():
    for kind, mime in (("PNG", "image/png"), ("WEBP", "image/webp"), ("GIF", "image/gif")):
        out = io.BytesIO()
        Image.new("RGB", (4000, 1000), (15, 118, 110)).save(out, kind)
        clean = clean_image(out.getvalue())
        assert (clean.content_type, clean.width, clean.height) == (mime, MAX_OUTPUT_SIDE, 600)
        with Image.open(io.BytesIO(clean.data)) as picture:
            assert picture.format == kind and picture.size == (MAX_OUTPUT_SIDE, 600)


def test_it_keeps_only_the_first_frame_of_an_animation_and_its_transparency():
    frames = [Image.new("P", (20, 20), i) for i in range(3)]
    out = io.BytesIO()
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:], transparency=0, comment=b"secret")
    clean = clean_image(out.getvalue())
    with Image.open(io.BytesIO(clean.data)) as picture:
        assert getattr(picture, "n_frames", 1) == 1
        assert "transparency" in picture.info
    assert b"secret" not in clean.data


def test_it_refuses_a_decompression_bomb_with_a_clear_message(client, db, owner):
    # 10,000 by 10,000 pixels of one colour: a few hundred kB that would unpack to 300 MB.
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    side = 10_000
    rows = zlib.compress(b"".join(b"\x00" + b"\x00" * side for _ in range(side)), 9)
    bomb = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0))
        + chunk(b"IDAT", rows)
        + chunk(b"IEND", b"")
    )
    with pytest.raises(ImageRefused, match="10000 by 10000 pixels"):
        clean_image(bomb)

    page = make_page(db, owner, None)
    log_in(client, owner)
    client.post(
        f"/app/pages/{page.id}/blocks",
        data={"_csrf_token": csrf_token(client), "type": "image"},
        follow_redirects=False,
    )
    db.expire_all()
    block = next(b for b in db.get(Page, page.id).blocks if b["type"] == "image")
    response = _upload(client, page, block["id"], "bom.png", bomb, "image/png")
    assert response.status_code == 422 and "million pixels" in response.text
    assert db.execute(select(SiteImage).execution_options(all_tenants=True)).first() is None


def test_it_refuses_an_image_whose_data_is_cut_short():
    out = io.BytesIO()
    Image.new("RGB", (200, 200), (1, 2, 3)).save(out, "JPEG")
    with pytest.raises(ImageRefused, match="could not be read"):
        clean_image(out.getvalue()[:300])
