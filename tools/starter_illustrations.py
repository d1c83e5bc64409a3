"""Draw the page templates' illustrations and the gallery's thumbnails of them.

Run `.venv/bin/python tools/starter_illustrations.py` after changing a drawing; the WebP files it writes
are committed, so nothing is drawn or fetched when the app runs. Flat shapes on a soft gradient, drawn
at twice the size and scaled down for smooth edges; no words in them, so they suit both languages.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter

ROOT = Path(__file__).resolve().parent.parent / "landform"
OUT = ROOT / "site" / "starters" / "images"  # copied into a tenant's images when a page starts from one
THUMBS = ROOT / "static" / "starters"  # the gallery's previews, served as static files
W, H = 1200, 750
S = 2  # supersampling
Colour = tuple[int, int, int]


def hex_colour(value: str) -> Colour:
    value = value.lstrip("#")
    return (int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16))


class Canvas:
    def __init__(self, top: str, bottom: str) -> None:
        self.image = Image.new("RGB", (W * S, H * S))
        a, b = hex_colour(top), hex_colour(bottom)
        gradient = ImageDraw.Draw(self.image)
        for y in range(H * S):
            t = y / (H * S)
            gradient.line([(0, y), (W * S, y)], fill=tuple(round(a[i] + (b[i] - a[i]) * t) for i in range(3)))

    def _layer(self, draw: Callable[[ImageDraw.ImageDraw], None], blur: float = 0, alpha: int = 255) -> None:
        layer = Image.new("L", self.image.size, 0)
        draw(ImageDraw.Draw(layer))
        if blur:
            layer = layer.filter(ImageFilter.GaussianBlur(blur * S))
        if alpha < 255:
            layer = layer.point(lambda v: v * alpha // 255)
        self._mask = layer

    def shape(
        self,
        kind: str,
        box: tuple[float, float, float, float],
        colour: str,
        *,
        radius: float = 0,
        alpha: int = 255,
        width: float = 0,
    ) -> None:
        """A rounded rectangle or ellipse, filled or (with a width) outlined."""
        scaled = tuple(v * S for v in box)

        def draw(d: ImageDraw.ImageDraw) -> None:
            if kind == "ellipse":
                d.ellipse(
                    scaled, fill=None if width else 255, outline=255 if width else None, width=int(width * S)
                )
            else:
                d.rounded_rectangle(
                    scaled,
                    radius=radius * S,
                    fill=None if width else 255,
                    outline=255 if width else None,
                    width=int(width * S),
                )

        self._layer(draw, alpha=alpha)
        self.image.paste(Image.new("RGB", self.image.size, hex_colour(colour)), (0, 0), self._mask)

    def soft(
        self, box: tuple[float, float, float, float], colour: str, blur: float = 30, alpha: int = 90
    ) -> None:
        """A blurred blob: light and depth behind the objects."""
        self._layer(lambda d: d.ellipse(tuple(v * S for v in box), fill=255), blur=blur, alpha=alpha)
        self.image.paste(Image.new("RGB", self.image.size, hex_colour(colour)), (0, 0), self._mask)

    def polygon(self, points: list[tuple[float, float]], colour: str, alpha: int = 255) -> None:
        self._layer(lambda d: d.polygon([(x * S, y * S) for x, y in points], fill=255), alpha=alpha)
        self.image.paste(Image.new("RGB", self.image.size, hex_colour(colour)), (0, 0), self._mask)

    def line(self, points: list[tuple[float, float]], colour: str, width: float, alpha: int = 255) -> None:
        scaled = [(x * S, y * S) for x, y in points]
        self._layer(lambda d: d.line(scaled, fill=255, width=int(width * S), joint="curve"), alpha=alpha)
        self.image.paste(Image.new("RGB", self.image.size, hex_colour(colour)), (0, 0), self._mask)
        for x, y in (points[0], points[-1]):  # round caps
            r = width / 2
            self.shape("ellipse", (x - r, y - r, x + r, y + r), colour, alpha=alpha)

    def card(
        self, box: tuple[float, float, float, float], colour: str = "#ffffff", radius: float = 28
    ) -> None:
        x0, y0, x1, y1 = box
        self.soft((x0 + 10, y0 + 30, x1 + 10, y1 + 40), "#1b2440", blur=22, alpha=55)
        self.shape("rect", box, colour, radius=radius)

    def text_lines(self, x: float, y: float, widths: list[float], colour: str, height: float = 14) -> None:
        for i, width in enumerate(widths):
            top = y + i * height * 2.2
            self.shape("rect", (x, top, x + width, top + height), colour, radius=height / 2)

    def save(self, name: str) -> Image.Image:
        final = self.image.resize((W, H), Image.Resampling.LANCZOS)
        final.save(OUT / f"{name}.webp", "WEBP", quality=84, method=6)
        return final


def backdrop(c: Canvas, one: str, two: str) -> None:
    c.soft((-120, -160, 520, 420), one, blur=60, alpha=110)
    c.soft((760, 380, 1360, 900), two, blur=70, alpha=110)
    for i in range(7):
        x = 120 + i * 160
        c.shape("ellipse", (x, 640 - (i % 3) * 20, x + 10, 650 - (i % 3) * 20), "#ffffff", alpha=110)


def quote() -> Canvas:
    c = Canvas("#eef4ff", "#dbe7ff")
    backdrop(c, "#b9d0ff", "#ffd8b0")
    c.card((330, 110, 790, 650))
    c.shape("rect", (380, 160, 560, 190), "#2f5bd3", radius=15)
    c.text_lines(380, 230, [320, 270, 300], "#d6def0")
    for row in range(3):
        y = 360 + row * 70
        c.shape("rect", (380, y, 740, y + 50), "#f3f6fc", radius=12)
        c.shape("rect", (400, y + 18, 560, y + 32), "#c3cee6", radius=7)
        c.shape("rect", (650, y + 16, 720, y + 34), "#2f5bd3", radius=9, alpha=200)
    c.shape("rect", (380, 580, 740, 600), "#e4e9f4", radius=10)
    # a price tag leaning on the document
    c.polygon([(720, 420), (900, 360), (980, 520), (800, 580)], "#ff9f43")
    c.shape("ellipse", (752, 430, 782, 460), "#fff4e6")
    c.line([(820, 470), (930, 432)], "#ffffff", 12, alpha=230)
    c.line([(840, 510), (910, 486)], "#ffffff", 12, alpha=230)
    # a calculator
    c.card((170, 300, 360, 560), "#233056", radius=24)
    c.shape("rect", (195, 325, 335, 385), "#9fe0c6", radius=10)
    for row in range(3):
        for col in range(3):
            x, y = 200 + col * 45, 405 + row * 45
            c.shape(
                "rect", (x, y, x + 32, y + 32), "#ff9f43" if (row, col) == (2, 2) else "#4a5a8a", radius=8
            )
    return c


def consultation() -> Canvas:
    c = Canvas("#eefaf5", "#d7f0e6")
    backdrop(c, "#a7e3cb", "#c9d8ff")
    c.card((250, 140, 850, 620))
    # a chart on the screen
    bars = [180, 240, 150, 300, 260, 340]
    for i, h in enumerate(bars):
        x = 310 + i * 80
        c.shape("rect", (x, 560 - h, x + 48, 560), "#1f9d74" if i % 2 else "#7fd1b3", radius=10)
    c.line([(334, 360), (414, 320), (494, 400), (574, 270), (654, 300), (734, 220)], "#233056", 8)
    # the magnifying glass
    cx, cy, r = 860, 330, 120
    c.soft((cx - r - 20, cy - r, cx + r + 40, cy + r + 50), "#1b2440", blur=25, alpha=50)
    c.shape("ellipse", (cx - r, cy - r, cx + r, cy + r), "#ffffff", alpha=150)
    c.shape("ellipse", (cx - r, cy - r, cx + r, cy + r), "#233056", width=26)
    c.line([(cx + 88, cy + 88), (cx + 190, cy + 190)], "#233056", 40)
    c.shape("ellipse", (cx - 60, cy - 70, cx - 20, cy - 30), "#ffffff", alpha=200)
    # a check mark badge
    c.shape("ellipse", (190, 110, 310, 230), "#ff8a65")
    c.line([(222, 172), (245, 195), (282, 148)], "#ffffff", 14)
    return c


def brochure() -> Canvas:
    c = Canvas("#fff6ec", "#ffe6cc")
    backdrop(c, "#ffd0a1", "#ffc2c9")
    # two booklets, one open
    c.card((260, 170, 560, 600), "#e55b3c", radius=18)
    c.shape("rect", (300, 230, 520, 300), "#ffffff", radius=12, alpha=230)
    c.text_lines(300, 340, [200, 160, 190], "#f7b5a5")
    c.card((470, 120, 800, 620), "#ffffff", radius=18)
    c.shape("rect", (510, 160, 760, 320), "#ffd9b8", radius=14)
    c.shape("ellipse", (560, 200, 640, 280), "#ff9f43")
    c.polygon([(520, 320), (620, 240), (700, 300), (760, 250), (760, 320)], "#e55b3c", alpha=220)
    c.text_lines(510, 360, [250, 220, 240, 170], "#e7dccf")
    # the download arrow
    cx = 900
    c.shape("ellipse", (cx - 110, 300, cx + 110, 520), "#233056")
    c.line([(cx, 350), (cx, 450)], "#ffffff", 22)
    c.line([(cx - 45, 410), (cx, 456), (cx + 45, 410)], "#ffffff", 22)
    c.shape("rect", (cx - 60, 478, cx + 60, 490), "#ffffff", radius=6, alpha=200)
    return c


def event() -> Canvas:
    c = Canvas("#f3efff", "#e2d9ff")
    backdrop(c, "#cbbcff", "#ffd1e8")
    # a calendar
    c.card((220, 140, 640, 620))
    c.shape("rect", (220, 140, 640, 250), "#6c4ce0", radius=28)
    c.shape("rect", (220, 210, 640, 250), "#6c4ce0")
    for x in (300, 560):
        c.shape("rect", (x - 10, 110, x + 10, 180), "#233056", radius=10)
    for row in range(4):
        for col in range(5):
            x, y = 255 + col * 75, 285 + row * 78
            chosen = (row, col) == (1, 3)
            c.shape("rect", (x, y, x + 55, y + 55), "#ff6fa8" if chosen else "#efeafc", radius=12)
    # a ticket
    c.polygon([(640, 320), (980, 250), (1020, 440), (680, 510)], "#ffb340")
    c.shape("ellipse", (826, 262, 866, 302), "#e2d9ff")
    c.shape("ellipse", (862, 454, 902, 494), "#e9e2ff")
    c.line([(720, 390), (820, 369)], "#ffffff", 14, alpha=230)
    c.line([(730, 430), (800, 415)], "#ffffff", 14, alpha=230)
    c.shape("ellipse", (900, 110, 990, 200), "#ff6fa8", alpha=200)
    return c


def newsletter() -> Canvas:
    c = Canvas("#eaf7fb", "#d3eef6")
    backdrop(c, "#9fdcef", "#ffe29a")
    # the letter coming out of the envelope
    c.card((420, 110, 780, 460))
    c.shape("rect", (460, 150, 740, 250), "#ffe29a", radius=14)
    c.text_lines(460, 290, [280, 240, 260], "#cfe6ee")
    # the envelope
    c.soft((340, 330, 880, 680), "#1b2440", blur=22, alpha=50)
    c.polygon([(350, 330), (600, 520), (850, 330), (850, 640), (350, 640)], "#1a8fb5")
    c.polygon([(350, 640), (600, 470), (850, 640)], "#24a7d1")
    c.polygon([(350, 330), (600, 520), (850, 330), (850, 350), (600, 540), (350, 350)], "#137596", alpha=160)
    # a paper plane
    c.polygon([(900, 180), (1080, 110), (1000, 260)], "#ffffff")
    c.polygon([(900, 180), (970, 200), (1000, 260)], "#c7e3ee")
    c.line([(760, 250), (830, 230), (880, 200)], "#ffffff", 6, alpha=160)
    c.shape("ellipse", (180, 190, 300, 310), "#ffcf4a")
    return c


def waiting_list() -> Canvas:
    c = Canvas("#101a3a", "#263a78")
    for i in range(40):  # stars
        x = (i * 137) % 1180 + 10
        y = (i * 89) % 700 + 10
        r = 2 + (i % 3)
        c.shape("ellipse", (x - r, y - r, x + r, y + r), "#ffffff", alpha=90 + (i % 4) * 40)
    c.soft((700, 80, 1200, 520), "#6c7bff", blur=80, alpha=90)
    # the launch pad clouds
    for x, y, r in ((300, 650, 150), (450, 690, 170), (620, 660, 140), (780, 700, 160)):
        c.shape("ellipse", (x - r, y - r * 0.7, x + r, y + r * 0.7), "#e7ecff")
    # the rocket, leaning right
    angle = math.radians(35)

    def rot(px: float, py: float) -> tuple[float, float]:
        cx, cy = 600, 380
        dx, dy = px - cx, py - cy
        return (
            cx + dx * math.cos(angle) - dy * math.sin(angle),
            cy + dx * math.sin(angle) + dy * math.cos(angle),
        )

    c.polygon([rot(x, y) for x, y in ((600, 420), (560, 560), (600, 620), (640, 560))], "#ffb340")
    c.polygon([rot(x, y) for x, y in ((600, 460), (580, 560), (600, 590), (620, 560))], "#ff6a3d")
    body = [(600, 140), (650, 220), (660, 470), (540, 470), (550, 220)]
    c.polygon([rot(x, y) for x, y in body], "#ffffff")
    c.polygon([rot(x, y) for x, y in ((600, 140), (650, 220), (550, 220))], "#ff6a3d")
    c.polygon([rot(x, y) for x, y in ((540, 380), (480, 490), (540, 470))], "#ff6a3d")
    c.polygon([rot(x, y) for x, y in ((660, 380), (720, 490), (660, 470))], "#ff6a3d")
    wx, wy = rot(600, 300)
    c.shape("ellipse", (wx - 42, wy - 42, wx + 42, wy + 42), "#263a78")
    c.shape("ellipse", (wx - 30, wy - 30, wx + 30, wy + 30), "#8fd3ff")
    # an hourglass on the side: waiting
    c.polygon([(170, 200), (290, 200), (230, 300)], "#ffd36b")
    c.polygon([(170, 400), (290, 400), (230, 300)], "#ffd36b", alpha=150)
    c.polygon([(200, 400), (260, 400), (230, 350)], "#ffd36b")
    c.shape("rect", (150, 180, 310, 200), "#8fa2e8", radius=8)
    c.shape("rect", (150, 400, 310, 420), "#8fa2e8", radius=8)
    return c


def youth_workshop() -> Canvas:
    c = Canvas("#fff9e6", "#ffefc2")
    backdrop(c, "#ffd66b", "#9fe0c6")
    # a laptop with code blocks
    c.card((300, 160, 800, 480), "#233056", radius=22)
    c.shape("rect", (330, 190, 770, 450), "#2e3f72", radius=12)
    for i, (x, w, colour) in enumerate(
        (
            (360, 160, "#ffd66b"),
            (400, 220, "#7fd1b3"),
            (400, 140, "#ff8a65"),
            (360, 120, "#ffd66b"),
            (400, 260, "#8fb5ff"),
        )
    ):
        y = 220 + i * 44
        c.shape("rect", (x, y, x + w, y + 22), colour, radius=11)
    c.polygon([(250, 480), (850, 480), (900, 530), (200, 530)], "#c3cbe0")
    # a light bulb: ideas
    c.shape("ellipse", (860, 150, 1020, 310), "#ffcf3a")
    c.shape("rect", (905, 300, 975, 350), "#8a93ad", radius=10)
    for a in range(0, 360, 45):
        x = 940 + 120 * math.cos(math.radians(a))
        y = 230 + 120 * math.sin(math.radians(a))
        x2 = 940 + 150 * math.cos(math.radians(a))
        y2 = 230 + 150 * math.sin(math.radians(a))
        if 20 < a < 160:
            continue
        c.line([(x, y), (x2, y2)], "#ffb000", 10)
    # building blocks
    for x, y, colour in ((170, 520, "#ff6a3d"), (250, 520, "#1f9d74"), (210, 450, "#6c4ce0")):
        c.shape("rect", (x, y, x + 72, y + 68), colour, radius=10)
        c.shape("ellipse", (x + 16, y - 10, x + 34, y + 6), colour)
        c.shape("ellipse", (x + 40, y - 10, x + 58, y + 6), colour)
    c.polygon([(880, 560), (980, 470), (1000, 490), (900, 580)], "#ff6a3d")
    c.polygon([(880, 560), (900, 580), (870, 590)], "#233056")
    return c


def job_interest() -> Canvas:
    c = Canvas("#eef2f7", "#dde5ef")
    backdrop(c, "#b8c9e8", "#b9ead7")
    # three people
    for x, colour, skin in (
        (380, "#1f9d74", "#f1c7a6"),
        (600, "#2f5bd3", "#8d5a3b"),
        (820, "#ff8a65", "#e0a57c"),
    ):
        big = x == 600
        r = 70 if big else 58
        top = 190 if big else 250
        c.soft((x - r - 40, top + 2 * r - 10, x + r + 40, 690), "#1b2440", blur=22, alpha=45)
        c.shape("rect", (x - r - 40, top + 2 * r + 20, x + r + 40, 640), colour, radius=60)
        c.shape("ellipse", (x - r - 4, top - 10, x + r + 4, top + r * 1.5), "#233056")
        c.shape("ellipse", (x - r + 8, top + 16, x + r - 8, top + 2 * r), skin)
    # a briefcase
    c.card((860, 470, 1060, 620), "#7a4b2a", radius=20)
    c.shape("rect", (925, 440, 995, 470), "#7a4b2a", width=10, radius=10)
    c.shape("rect", (860, 530, 1060, 542), "#5c371e")
    # a plus: join us
    c.shape("ellipse", (150, 150, 270, 270), "#2f5bd3")
    c.line([(210, 180), (210, 240)], "#ffffff", 14)
    c.line([(180, 210), (240, 210)], "#ffffff", 14)
    return c


DRAWINGS: dict[str, Callable[[], Canvas]] = {
    "quote": quote,
    "consultation": consultation,
    "download": brochure,
    "event": event,
    "newsletter": newsletter,
    "waiting_list": waiting_list,
    "youth_workshop": youth_workshop,
    "job_interest": job_interest,
}


def thumbnail(name: str, art: Image.Image, accent: Colour) -> None:
    """The gallery's preview: a small page in the template's colours, its illustration beside the hero."""
    tw, th, hero = 480, 360, 200
    thumb = Image.new("RGB", (tw * S, th * S), (255, 255, 255))
    picture = art.resize((int(hero * S * W / H), hero * S), Image.Resampling.LANCZOS)
    left = tw * S - picture.width
    # The hero's background: the illustration's left edge, drawn out to the page's left side.
    edge = picture.crop((0, 0, 1, picture.height)).resize((left + 4, picture.height))
    thumb.paste(edge, (0, 0))
    thumb.paste(picture, (left, 0))
    r, g, b = picture.getpixel((2, picture.height // 3))  # type: ignore[misc]
    ink = (255, 255, 255) if 0.2126 * r + 0.7152 * g + 0.0722 * b < 120 else (31, 41, 51)
    d = ImageDraw.Draw(thumb)

    def bar(x0: float, y0: float, x1: float, y1: float, fill: Colour, outline: Colour | None = None) -> None:
        box = (x0 * S, y0 * S, x1 * S, y1 * S)
        d.rounded_rectangle(box, radius=(y1 - y0) / 2 * S, fill=fill, outline=outline, width=2 * S)

    bar(22, 50, 150, 64, ink)
    bar(22, 72, 120, 86, ink)
    for i, width in enumerate((118, 100)):
        bar(22, 100 + i * 12, 22 + width, 106 + i * 12, tuple(round(c * 0.55 + 110 * 0.45) for c in ink))
    bar(22, 140, 98, 160, accent)
    for i, width in enumerate((290, 250, 270)):
        bar(22, 218 + i * 14, 22 + width, 225 + i * 14, (214, 220, 232))
    d.rounded_rectangle((22 * S, 270 * S, 458 * S, 346 * S), radius=12 * S, fill=(244, 246, 250))
    bar(38, 282, 290, 298, (255, 255, 255), (190, 198, 214))
    bar(38, 306, 290, 322, (255, 255, 255), (190, 198, 214))
    bar(334, 318, 442, 336, accent)
    final = thumb.resize((tw, th), Image.Resampling.LANCZOS)
    final.save(THUMBS / f"{name}.webp", "WEBP", quality=82, method=6)


ACCENTS = {
    "quote": "#2f5bd3",
    "consultation": "#1f9d74",
    "download": "#e55b3c",
    "event": "#6c4ce0",
    "newsletter": "#1a8fb5",
    "waiting_list": "#ff6a3d",
    "youth_workshop": "#e07b00",
    "job_interest": "#2f5bd3",
}


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    THUMBS.mkdir(parents=True, exist_ok=True)
    for name, draw in DRAWINGS.items():
        art = draw().save(name)
        thumbnail(name, art, hex_colour(ACCENTS[name]))
        print(name, (OUT / f"{name}.webp").stat().st_size, (THUMBS / f"{name}.webp").stat().st_size)


if __name__ == "__main__":
    main()
