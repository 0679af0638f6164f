"""Draw the officer app's icons (192 and 512 px PNG, plus a maskable 512).

Run from a checkout after changing the design, and commit the PNGs it
writes into pwa/icons/ — the box serves them as they are (no build step on
a lane):

    .venv/bin/python tools/make_icons.py

A developer's tool, kept outside the ``pwa`` package so that a wheel ships
the icons and not the script that draws them (docs/packaging.md).

The picture is a lane seen from above: a dark blue square, two white lane
lines and a red-and-white boom barrier across it, readable at 48 px.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

ICONS = Path(__file__).resolve().parents[1] / "pwa" / "icons"
"""The checkout's icons, which this script rewrites (never an installed package's)."""
BLUE = (11, 61, 145)
WHITE = (255, 255, 255)
RED = (200, 16, 46)
YELLOW = (255, 204, 0)
SUPERSAMPLE = 4  # draw big, scale down: smooth edges without antialiasing support


def draw(size: int, maskable: bool) -> Image.Image:
    """The icon at ``size`` px. A maskable icon keeps its picture inside the
    central 80 % circle (the safe zone) and fills the whole square."""
    big = size * SUPERSAMPLE
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)
    if maskable:
        pen.rectangle((0, 0, big, big), fill=BLUE)
        inset = big * 0.18
    else:
        pen.rounded_rectangle((0, 0, big - 1, big - 1), radius=big * 0.18, fill=BLUE)
        inset = big * 0.06
    span = big - 2 * inset

    def box(x0: float, y0: float, x1: float, y1: float) -> tuple[float, float, float, float]:
        return (inset + x0 * span, inset + y0 * span, inset + x1 * span, inset + y1 * span)

    # lane edges: two solid white lines; the centre: dashes
    pen.rectangle(box(0.18, 0.06, 0.24, 0.94), fill=WHITE)
    pen.rectangle(box(0.76, 0.06, 0.82, 0.94), fill=WHITE)
    for top in (0.06, 0.30, 0.74):
        pen.rectangle(box(0.475, top, 0.525, top + 0.14), fill=YELLOW)
    # the boom barrier: a post and a striped arm across the lane
    pen.rounded_rectangle(box(0.08, 0.40, 0.20, 0.64), radius=span * 0.02, fill=WHITE)
    arm = box(0.14, 0.46, 0.92, 0.58)
    pen.rounded_rectangle(arm, radius=span * 0.03, fill=WHITE)
    stripes = 6
    width = (arm[2] - arm[0]) / stripes
    for i in range(0, stripes, 2):
        pen.rectangle((arm[0] + (i + 0.5) * width, arm[1], arm[0] + (i + 1.5) * width, arm[3]), fill=RED)
    return image.resize((size, size), Image.Resampling.LANCZOS)


def main() -> None:
    ICONS.mkdir(exist_ok=True)
    for size in (192, 512):
        draw(size, maskable=False).save(ICONS / f"icon-{size}.png", optimize=True)
    draw(512, maskable=True).save(ICONS / "icon-maskable-512.png", optimize=True)
    print("wrote", ", ".join(sorted(p.name for p in ICONS.glob("*.png"))))


if __name__ == "__main__":
    main()
