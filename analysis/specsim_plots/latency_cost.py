"""Figure ``latency_cost``: every policy configuration on the latency-cost plane, with the front.

This is the paper's headline figure: which configurations are worth running at all (the Pareto
front over the policies a user can run: lower latency and lower cost dominate) and what each
second saved costs. The oracle knows the future, so it is drawn as a bound beside the front,
never on it. The drawing function is shared with the sweep's plane over all runs.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
from matplotlib.lines import Line2D

from . import metrics, style
from .io import MissingData, Run
from .labels import place_labels
from .pareto import front_steps, pareto_front

BOUND_KINDS = ("oracle",)  # not runnable: they see the episode's future

SIZE = (style.DOUBLE_COLUMN, 4.0)


def draw_plane(ax, cost, cost_err, latency, latency_err, kinds: Sequence[str], texts: Sequence[str | None],
               colors: Sequence | None = None, extra_handles: Sequence = (), with_front: bool = True) -> np.ndarray:
    """Draws points (marker by kind, colour by kind unless given), error bars and the front.

    ``extra_handles`` join the legend (one legend, so that layouts keep room for it). Without
    ``with_front`` (points from different worlds, which no user chooses between) no front is drawn.

    Returns the indices of the front points (runnable policies only).
    """
    cost, latency = np.asarray(cost, float), np.asarray(latency, float)
    runnable = np.array([k not in BOUND_KINDS for k in kinds], dtype=bool)
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
    runnable_idx = np.flatnonzero(runnable)
    front = runnable_idx[pareto_front(cost[runnable_idx], latency[runnable_idx])] if with_front else np.array([], int)
    if with_front:
        x_end = float(np.nanmax(cost)) + 0.03 * float(np.nanmax(cost) - np.nanmin(cost) or np.nanmax(cost) or 1)
        fx, fy = front_steps(cost, latency, front, x_end)
        ax.step(fx, fy, where="post", color="black", linewidth=1.2, linestyle="--", zorder=1)
    ax.set_xlabel(metrics.label("cost_usd"))
    ax.set_ylabel(metrics.label("latency_mean_s"))
    ax.grid(True, alpha=0.3)
    handles = [Line2D([], [], marker=style.kind_style(k)[0], color=style.kind_style(k)[1] if colors is None else "#777777",
                      markeredgecolor="black", markeredgewidth=0.5, linestyle="none",
                      label=f"{k} (bound)" if k in BOUND_KINDS else k)
               for k in dict.fromkeys(kinds)]
    if with_front:
        handles.append(Line2D([], [], color="black", linestyle="--", label="Pareto front (runnable)"))
    handles += list(extra_handles)
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    front_set = set(front.tolist())
    others = [i for i in np.argsort(cost) if i not in front_set]
    place_labels(ax, cost, latency, texts, list(front) + others)
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
    style.title(ax, f"{run.name}: latency vs cost (95% CI)", options)
    return fig
