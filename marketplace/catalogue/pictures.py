"""Demo photos, drawn here rather than downloaded: each category's pictogram (the same
drawings the home page shows, static/img/categories.svg) as a machine in a yard, its paint,
size, angle, light and background varied by a seed, so a listing's photos differ from each
other and from other listings'."""

from __future__ import annotations

import io
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from xml.etree import ElementTree

from django.conf import settings
from PIL import Image, ImageDraw, ImageFilter

SPRITE = Path(settings.BASE_DIR) / "static" / "img" / "categories.svg"
WIDTH, HEIGHT = 1000, 750
PAINTS = [
    (242, 169, 0),
    (230, 126, 34),
    (250, 204, 21),
    (39, 174, 96),
    (41, 98, 172),
    (192, 57, 43),
    (236, 236, 230),
]
SKIES = [
    ((148, 190, 230), (222, 236, 248)),
    ((190, 200, 210), (236, 238, 240)),
    ((240, 190, 140), (250, 230, 200)),
]
GROUNDS = [(150, 130, 100), (120, 120, 115), (110, 140, 90), (170, 150, 120)]


@dataclass(frozen=True)
class Shape:
    kind: str  # "rect", "circle" or "polygon"
    points: tuple[float, ...]
    light: bool = False  # drawn in the paper colour (a grille, a window)


@cache
def pictograms() -> dict[str, tuple[Shape, ...]]:
    """The sprite's symbols as shapes in its 64 by 40 box, by category slug."""
    tree = ElementTree.parse(SPRITE)  # noqa: S314 - the project's own file
    found: dict[str, tuple[Shape, ...]] = {}
    for symbol in tree.getroot():
        slug = symbol.get("id", "").removeprefix("cat-")
        found[slug] = tuple(_shapes(symbol))
    return found


def _shapes(symbol: ElementTree.Element) -> Iterator[Shape]:
    for element in symbol:
        tag = element.tag.rsplit("}", 1)[-1]
        light = element.get("fill") == "#fff"
        if tag == "rect":
            x, y, w, h = (float(element.get(name, "0")) for name in ("x", "y", "width", "height"))
            yield Shape("rect", (x, y, x + w, y + h), light)
        elif tag == "circle":
            cx, cy, r = (float(element.get(name, "0")) for name in ("cx", "cy", "r"))
            yield Shape("circle", (cx - r, cy - r, cx + r, cy + r), light)
        elif tag == "path":
            for outline in re.split(r"(?=M)", element.get("d", "")):
                # straight segments; a curve's end point stands for the curve
                numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", outline)]
                if len(numbers) >= 6:
                    yield Shape("polygon", tuple(numbers), light)


def demo_photo(category: str, seed: int) -> bytes:
    """A JPEG of a machine of `category` (a top-level category's slug; others are drawn as a
    generic machine), different for each seed."""
    rng = random.Random(seed)
    sky_top, sky_bottom = rng.choice(SKIES)
    image = Image.new("RGB", (WIDTH, HEIGHT))
    draw = ImageDraw.Draw(image)
    horizon = int(HEIGHT * rng.uniform(0.55, 0.7))
    for y in range(horizon):  # the sky, lighter towards the horizon
        t = y / horizon
        draw.line(
            [(0, y), (WIDTH, y)],
            fill=tuple(int(a + (b - a) * t) for a, b in zip(sky_top, sky_bottom, strict=True)),
        )
    ground = rng.choice(GROUNDS)
    draw.rectangle([0, horizon, WIDTH, HEIGHT], fill=ground)
    for _ in range(40):  # gravel
        left, top = rng.uniform(0, WIDTH), rng.uniform(horizon, HEIGHT)
        shade = tuple(max(0, c - rng.randint(10, 40)) for c in ground)
        draw.ellipse([left, top, left + rng.uniform(6, 30), top + rng.uniform(3, 10)], fill=shade)

    shapes = pictograms().get(category) or pictograms()["machine"]
    paint = rng.choice(PAINTS)
    machine = Image.new("RGBA", (640, 400), (0, 0, 0, 0))
    pen = ImageDraw.Draw(machine)
    scale = 10
    for shape in shapes:
        colour = (245, 245, 240, 255) if shape.light else (*paint, 255)
        points = [value * scale for value in shape.points]
        if shape.kind == "rect":
            pen.rectangle(points, fill=colour)
        elif shape.kind == "circle":
            pen.ellipse(points, fill=(40, 40, 40, 255) if not shape.light else colour)
        else:
            pen.polygon(list(zip(points[::2], points[1::2], strict=False)), fill=colour)
    if rng.random() < 0.5:
        machine = machine.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    width = int(WIDTH * rng.uniform(0.55, 0.8))
    machine = machine.resize((width, int(width * 400 / 640)), Image.Resampling.LANCZOS)
    machine = machine.rotate(rng.uniform(-4, 4), resample=Image.Resampling.BICUBIC, expand=True)
    shadow = Image.new("RGBA", machine.size, (0, 0, 0, 0))
    shadow.putalpha(machine.getchannel("A").point(lambda alpha: alpha // 3))
    left = int((WIDTH - machine.width) * rng.uniform(0.2, 0.8))
    top = horizon + int((HEIGHT - horizon) * 0.55) - machine.height
    image.paste(
        shadow.filter(ImageFilter.GaussianBlur(12)),
        (left + 18, top + 14),
        shadow.filter(ImageFilter.GaussianBlur(12)),
    )
    image.paste(machine, (left, top), machine)

    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=82)
    return buffer.getvalue()
