"""The Pareto front of (cost, latency) points: the configurations worth choosing.

A point dominates another if it is no worse in both coordinates and strictly better in one
(lower is better for both). Kept separate from drawing so that it can be tested exactly.
"""

from __future__ import annotations

import numpy as np


def pareto_front(xs, ys) -> np.ndarray:
    """Indices of the non-dominated points, ordered by increasing x (then y).

    Points with a NaN coordinate are ignored. Identical points do not dominate each other, so
    duplicates on the front are all returned.
    """
    xs = np.asarray(xs, dtype=float)
    ys = np.asarray(ys, dtype=float)
    if xs.shape != ys.shape:
        raise ValueError("xs and ys must have the same length")
    valid = np.flatnonzero(np.isfinite(xs) & np.isfinite(ys))
    order = valid[np.lexsort((ys[valid], xs[valid]))]
    front: list[int] = []
    best_y = np.inf
    for i in order:
        if ys[i] < best_y:
            front.append(int(i))
            best_y = ys[i]
        elif front and xs[i] == xs[front[-1]] and ys[i] == ys[front[-1]]:
            front.append(int(i))  # a duplicate of the last front point
    return np.array(front, dtype=int)


def front_steps(xs, ys, front: np.ndarray, x_end: float | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The front as a staircase for ``ax.step(where="post")``: what is attainable at each cost.

    With a budget between two front points' costs the best latency is that of the cheaper one,
    hence the horizontal run to the next point then the drop; ``x_end`` extends the last level.
    """
    fx = np.asarray(xs, dtype=float)[front]
    fy = np.asarray(ys, dtype=float)[front]
    if x_end is not None and len(fx) and x_end > fx[-1]:
        fx = np.append(fx, x_end)
        fy = np.append(fy, fy[-1])
    return fx, fy
