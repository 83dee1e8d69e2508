"""Figure ``latency_cost``: every policy configuration on the latency-cost plane, with the front.

This is the paper's headline figure: which configurations are worth running at all (the Pareto
front, lower latency and lower cost dominate) and what each second saved costs. The drawing
function is shared with the sweep's plane over all runs.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
from matplotlib.lines import Line2D

from . import metrics, style
from .io import MissingData, Run
from .pareto import front_steps, pareto_front

SIZE = (7.0, 5.0)


def declutter(ax, xs: np.ndarray, ys: np.ndarray, texts: Sequence[str | None], order: Sequence[int],
              min_dx: float = 0.09, min_dy: float = 0.045) -> list[int]:
    """Annotates points in ``order`` unless too close (in axes fractions) to one already labelled.

    Greedy and cheap: the first points of ``order`` (the front) always get their label, and a
    crowd of near-identical points gets one label instead of an unreadable blot.
    """
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    fx = (np.asarray(xs, float) - x0) / ((x1 - x0) or 1.0)
    fy = (np.asarray(ys, float) - y0) / ((y1 - y0) or 1.0)
    placed: list[int] = []
    for i in order:
        if texts[i] is None or not (np.isfinite(fx[i]) and np.isfinite(fy[i])):
            continue
        if any(abs(fx[i] - fx[j]) < min_dx and abs(fy[i] - fy[j]) < min_dy for j in placed):
            continue
        ax.annotate(texts[i], (xs[i], ys[i]), xytext=(5, 4), textcoords="offset points", fontsize=7,
                    color="#222222")
        placed.append(i)
    return placed


def draw_plane(ax, cost, cost_err, latency, latency_err, kinds: Sequence[str], texts: Sequence[str | None],
               colors: Sequence | None = None, extra_handles: Sequence = ()) -> np.ndarray:
    """Draws points (marker by kind, colour by kind unless given), error bars and the front.

    ``extra_handles`` join the legend (one legend, so that layouts keep room for it).

    Returns the indices of the front points.
    """
    cost, latency = np.asarray(cost, float), np.asarray(latency, float)
    xerr, yerr = metrics.errorbar_values(cost_err), metrics.errorbar_values(latency_err)
    kinds = list(kinds)
    for kind in dict.fromkeys(kinds):
        idx = np.array([i for i, k in enumerate(kinds) if k == kind])
        marker, color = style.kind_style(kind)
        ax.errorbar(cost[idx], latency[idx], xerr=None if xerr is None else xerr[idx],
                    yerr=None if yerr is None else yerr[idx], fmt="none", ecolor="#999999",
                    elinewidth=0.8, capsize=2, zorder=2)
        fill = {"color": color} if colors is None else {"c": [colors[i] for i in idx]}
        ax.scatter(cost[idx], latency[idx], marker=marker, s=70 if marker == "*" else 36,
                   edgecolors="black", linewidths=0.5, zorder=3, **fill)
    front = pareto_front(cost, latency)
    x_end = float(np.nanmax(cost)) + 0.03 * float(np.nanmax(cost) - np.nanmin(cost) or np.nanmax(cost) or 1)
    fx, fy = front_steps(cost, latency, front, x_end)
    ax.step(fx, fy, where="post", color="black", linewidth=1.2, linestyle="--", zorder=1)
    ax.set_xlabel(metrics.label("cost_usd"))
    ax.set_ylabel(metrics.label("latency_mean_s"))
    ax.grid(True, alpha=0.3)
    handles = [Line2D([], [], marker=style.kind_style(k)[0], color=style.kind_style(k)[1] if colors is None else "#777777",
                      markeredgecolor="black", markeredgewidth=0.5, linestyle="none", label=k)
               for k in dict.fromkeys(kinds)]
    handles.append(Line2D([], [], color="black", linestyle="--", label="Pareto front"))
    handles += list(extra_handles)
    ax.legend(handles=handles, fontsize=8, loc="upper right", framealpha=0.9)
    others = [i for i in np.argsort(cost) if i not in set(front.tolist())]
    declutter(ax, cost, latency, texts, list(front) + others)
    return front


def plot_latency_cost(run: Run, options=None):
    """Latency (mean s) against cost ($/episode) for every policy of a run, with its front."""
    summary = run.summary
    for column in ("cost_usd", "latency_mean_s", "label"):
        if column not in summary:
            raise MissingData(run.path, f"column {column} in table /summary")
    cost, cost_err = metrics.run_metric(run, "cost_usd")
    latency, latency_err = metrics.run_metric(run, "latency_mean_s")
    kinds = list(summary.get("name", np.array(["policy"] * len(summary), dtype=object)))
    fig, axes = style.new_figure(*SIZE)
    ax = axes[0, 0]
    draw_plane(ax, cost, cost_err, latency, latency_err, kinds, list(summary["label"]))
    ax.set_title(f"{run.name}: latency vs cost (95% CI)", fontsize=11)
    return fig
