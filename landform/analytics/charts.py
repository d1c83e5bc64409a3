"""Server-rendered SVG charts: the numbers become coordinates here, the template draws them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

WIDTH, HEIGHT = 720, 220
LEFT, RIGHT, TOP, BOTTOM = 56, 12, 12, 34


@dataclass
class Series:
    name: str
    css: str
    points: str  # "x,y x,y ..." for <polyline>
    dots: list[tuple[float, float, date, int]]  # for the hover titles


@dataclass
class LineChart:
    width: int
    height: int
    series: list[Series]
    y_ticks: list[tuple[float, int]]
    x_ticks: list[tuple[float, date]]
    baseline: float


def nice_ceiling(value: int) -> int:
    """The chart's top: four equal ticks of 1, 2 or 5 times a power of ten, reaching at least `value`."""
    magnitude = 1
    while True:
        for step in (1, 2, 5):
            if 4 * step * magnitude >= value:
                return 4 * step * magnitude
        magnitude *= 10


def line_chart(days: list[date], lines: list[tuple[str, str, list[int]]]) -> LineChart:
    """A chart of daily values; `lines` is (name, css class, values per day)."""
    top = nice_ceiling(max((max(values, default=0) for _, _, values in lines), default=0))
    inner_w, inner_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = inner_w / max(len(days) - 1, 1)

    def xy(index: int, value: int) -> tuple[float, float]:
        return round(LEFT + index * step, 1), round(TOP + inner_h * (1 - value / top), 1)

    series = []
    for name, css, values in lines:
        coords = [xy(i, v) for i, v in enumerate(values)]
        series.append(
            Series(
                name=name,
                css=css,
                points=" ".join(f"{x},{y}" for x, y in coords),
                dots=[(x, y, days[i], values[i]) for i, (x, y) in enumerate(coords)],
            )
        )
    every = max(1, round(len(days) / 6))
    return LineChart(
        width=WIDTH,
        height=HEIGHT,
        series=series,
        y_ticks=[(round(TOP + inner_h * (1 - n / 4), 1), top * n // 4) for n in range(5)],
        x_ticks=[(round(LEFT + i * step, 1), day) for i, day in enumerate(days) if i % every == 0],
        baseline=TOP + inner_h,
    )
