"""Point labels that do not collide: each label takes the first of a ring of positions around its
point whose box overlaps no label placed before it and no point, with a leader line when it sits
away from its point; a label that finds no room is left out (the legend still names its kind).
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

# Offsets in points, nearest first; (dx, dy, horizontal alignment).
_RING = [(5, 4, "left"), (5, -11, "left"), (-5, 4, "right"), (-5, -11, "right")] + [
    (r * dx, r * dy, "left" if dx > 0 else "right" if dx < 0 else "center")
    for r in (14, 24, 36) for dx, dy in ((1, 1), (1, -1), (-1, 1), (-1, -1), (1, 0), (-1, 0), (0, 1), (0, -1))]


def place_labels(ax, xs, ys, texts: Sequence[str | None], order: Sequence[int], fontsize: float = 6.5) -> list[int]:
    """Labels the points in ``order`` (data coordinates); returns the indices labelled."""
    fig = ax.figure
    fig.canvas.draw()  # the constrained layout fixes the axes' place before boxes are measured
    to_px = ax.transData.transform
    scale = fig.dpi / 72.0
    frame = ax.get_window_extent()
    xs, ys = np.asarray(xs, float), np.asarray(ys, float)
    finite = np.isfinite(xs) & np.isfinite(ys)
    points = to_px(np.column_stack([np.where(finite, xs, 0), np.where(finite, ys, 0)]))[finite]
    boxes: list[tuple[float, float, float, float]] = []
    placed = []
    for i in order:
        if texts[i] is None or not finite[i]:
            continue
        px, py = to_px((xs[i], ys[i]))
        w, h = 0.56 * fontsize * len(texts[i]) * scale, 1.25 * fontsize * scale
        for dx, dy, ha in _RING:
            x0 = px + dx * scale - (w if ha == "right" else w / 2 if ha == "center" else 0)
            y0 = py + dy * scale
            box = (x0, y0, x0 + w, y0 + h)
            inside = frame.x0 <= box[0] and box[2] <= frame.x1 and frame.y0 <= box[1] and box[3] <= frame.y1
            if not inside or any(_overlap(box, b) for b in boxes) or _covers_point(box, points, 3 * scale):
                continue
            far = abs(dx) > 6 or dy > 6 or dy < -12
            ax.annotate(texts[i], (xs[i], ys[i]), xytext=(dx, dy), textcoords="offset points", ha=ha, va="bottom",
                        fontsize=fontsize, color="#222222",
                        arrowprops={"arrowstyle": "-", "color": "#888888", "linewidth": 0.5, "shrinkA": 0,
                                    "shrinkB": 3} if far else None)
            boxes.append(box)
            placed.append(i)
            break
    return placed


def _overlap(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _covers_point(box, points: np.ndarray, margin: float) -> bool:
    if len(points) == 0:
        return False
    inside = ((points[:, 0] > box[0] - margin) & (points[:, 0] < box[2] + margin) &
              (points[:, 1] > box[1] - margin) & (points[:, 1] < box[3] + margin))
    return bool(np.any(inside))
