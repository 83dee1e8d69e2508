"""Sweep figures: each metric against the sweep's first numeric axis, and the plane of all runs.

A sweep folder's summary has one row per (run, policy). Lines follow a policy across runs; when
a sweep axis changes a policy's own parameters (say ``policies[1].k``) its label changes from
run to run, so a line follows the policy's position in the run rather than its label whenever
every run has the same policies in the same order. Runs that repeat the same axis values with
other seeds are averaged, with the half-width of the mean of independent estimates,
sqrt(sum h_i^2) / n.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from matplotlib import colormaps
from matplotlib.cm import ScalarMappable
from matplotlib.colors import Normalize
from matplotlib.lines import Line2D

from . import metrics, style
from .io import MissingData, Sweep, numeric
from .latency_cost import draw_plane
from .pareto import pareto_front

METRICS = ("latency_mean_s", "speedup", "cost_usd", "cost_ratio", "unnecessary_cost_usd", "mean_k",
           "concurrency_mean")
SIZE = (style.DOUBLE_COLUMN, 3.6)
LINESTYLES = ("-", "--", "-.", ":")
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")


@dataclass(frozen=True)
class Axis:
    """A sweep axis as x positions: numbers as they are, text as evenly spaced categories."""

    name: str
    values: np.ndarray  # float position per summary row
    ticks: list[str] | None  # category names when the axis is not numeric

    def text(self, i: int) -> str:
        v = self.values[i]
        return self.ticks[int(v)] if self.ticks is not None else f"{v:g}"


def make_axis(sweep: Sweep, name: str) -> Axis:
    column = sweep.summary[name]
    values = numeric(column)
    if values is not None:
        return Axis(name, values, None)
    cats = list(dict.fromkeys(str(v) for v in column))
    return Axis(name, np.array([cats.index(str(v)) for v in column], dtype=float), cats)


def sweep_x_axis(sweep: Sweep) -> tuple[Axis, Axis | None]:
    """The first numeric axis (else the first axis, as categories), and the next axis if any."""
    if not sweep.axes:
        raise MissingData(sweep.path, "a sweep axis column in the sweep summary (columns between seed and name)")
    first = next((a for a in sweep.axes if numeric(sweep.summary[a]) is not None), sweep.axes[0])
    rest = [a for a in sweep.axes if a != first]
    return make_axis(sweep, first), (make_axis(sweep, rest[0]) if rest else None)


def policy_lines(sweep: Sweep) -> dict[str, np.ndarray]:
    """{legend: row indices}: one entry per policy followed across runs (see module docstring)."""
    t = sweep.summary
    labels = np.array([str(l) for l in t["label"]], dtype=object)
    names = np.array([str(n) for n in t.get("name", labels)], dtype=object)
    run_ids = [str(r) for r in t["run_id"]] if "run_id" in t else ["run"] * len(t)
    per_run: dict[str, list[int]] = defaultdict(list)
    for i, r in enumerate(run_ids):
        per_run[r].append(i)
    sequences = {tuple(names[rows]) for rows in per_run.values()}
    if len(sequences) == 1:
        position = np.zeros(len(t), dtype=int)
        for rows in per_run.values():
            position[rows] = np.arange(len(rows))
        lines = {}
        for p in range(len(next(iter(sequences)))):
            rows = np.flatnonzero(position == p)
            distinct = list(dict.fromkeys(labels[rows]))
            legend = distinct[0] if len(distinct) == 1 else f"{names[rows[0]]} (policy #{p})"
            lines[legend] = rows
        return lines
    return {l: np.flatnonzero(labels == l) for l in dict.fromkeys(labels)}


def aggregate(xs: np.ndarray, values: np.ndarray, errors: np.ndarray):
    """Averages replicates (rows with the same x): mean value and half-width of the mean."""
    out_x, out_v, out_e = [], [], []
    for x in np.unique(xs[np.isfinite(xs)]):
        sel = xs == x
        v, e = values[sel], errors[sel]
        out_x.append(x)
        out_v.append(float(np.nanmean(v)) if np.any(np.isfinite(v)) else np.nan)
        out_e.append(float(np.sqrt(np.sum(e ** 2)) / len(e)) if np.all(np.isfinite(e)) else np.nan)
    return np.array(out_x), np.array(out_v), np.array(out_e)


def plot_sweep_metric(sweep: Sweep, metric: str, options=None):
    """One metric against the first numeric axis: a line per policy (and second-axis value)."""
    if metric not in sweep.summary:
        raise MissingData(sweep.path, f"column {metric} in the sweep summary")
    x_axis, second = sweep_x_axis(sweep)
    values, errors = metrics.with_ci(sweep.summary, metric)
    lines = policy_lines(sweep)
    groups = [None] if second is None else list(np.unique(second.values))
    fig, axes = style.new_figure(*SIZE)
    ax = axes[0, 0]
    # Few second-axis values: a line style each. Many: a colour each (a sequential colour map),
    # and the policies told apart by line style instead.
    by_colour = second is not None and len(groups) > len(LINESTYLES)
    policy_colors = style.series_colors(len(lines))
    group_colors = [colormaps["viridis"](j / max(1, len(groups) - 1)) for j in range(len(groups))]
    for p, (color, (legend, rows)) in enumerate(zip(policy_colors, lines.items())):
        for g, group in enumerate(groups):
            sel = rows if group is None else rows[second.values[rows] == group]
            if len(sel) == 0:
                continue
            x, v, e = aggregate(x_axis.values[sel], values[sel], errors[sel])
            c = group_colors[g] if by_colour else color
            ls = LINESTYLES[p % len(LINESTYLES)] if by_colour else LINESTYLES[g % len(LINESTYLES)]
            ax.errorbar(x, v, yerr=metrics.errorbar_values(e), color=c, linestyle=ls,
                        marker=MARKERS[(p if by_colour else g) % len(MARKERS)], markersize=4, capsize=3, linewidth=1.2)
    # One legend (constrained layout makes room for one outside legend per axes).
    if by_colour:
        handles = [Line2D([], [], color="black", linestyle=LINESTYLES[p % len(LINESTYLES)],
                          marker=MARKERS[p % len(MARKERS)], markersize=4, label=l) for p, l in enumerate(lines)]
    else:
        handles = [Line2D([], [], color=c, linewidth=1.5, label=l) for c, l in zip(policy_colors, lines)]
    if second is not None:
        handles.append(Line2D([], [], linestyle="none", label=f"{second.name}:"))
        rows0 = [int(np.flatnonzero(second.values == g)[0]) for g in groups]
        if by_colour:
            handles += [Line2D([], [], color=group_colors[j], linewidth=2, label=second.text(r)) for j, r in enumerate(rows0)]
        else:
            handles += [Line2D([], [], color="black", linestyle=LINESTYLES[j % len(LINESTYLES)],
                               marker=MARKERS[j % len(MARKERS)], markersize=4, label=second.text(r))
                        for j, r in enumerate(rows0)]
    ax.legend(handles=handles, fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    if x_axis.ticks is not None:
        style.tick_labels(ax, x_axis.ticks)
    ax.set_xlabel(x_axis.name)
    ax.set_ylabel(metrics.label(metric))
    ax.grid(True, alpha=0.3)
    replicated = len(sweep.summary) > len(set(zip(x_axis.values, *(() if second is None else (second.values,)),
                                                   sweep.summary["label"])))
    style.title(ax, f"{sweep.path.name}: {metrics.label(metric)} vs {x_axis.name}"
                 + (" (mean over seeds, 95% CI)" if replicated else " (95% CI)"), options)
    return fig


def plot_sweep_latency_cost(sweep: Sweep, options=None):
    """The latency-cost plane over every (run, policy), coloured by the first sweep axis."""
    t = sweep.summary
    for column in ("cost_usd", "latency_mean_s", "label"):
        if column not in t:
            raise MissingData(sweep.path, f"column {column} in the sweep summary")
    cost, cost_err = metrics.with_ci(t, "cost_usd")
    latency, latency_err = metrics.with_ci(t, "latency_mean_s")
    kinds = [str(n) for n in t.get("name", t["label"])]
    x_axis = sweep_x_axis(sweep)[0] if sweep.axes else None
    fig, axes = style.new_figure(*SIZE)
    ax = axes[0, 0]
    colors = None
    if x_axis is not None:
        cmap = colormaps["viridis"] if x_axis.ticks is None else colormaps["tab10"]
        lo, hi = np.nanmin(x_axis.values), np.nanmax(x_axis.values)
        norm = Normalize(lo, hi if hi > lo else lo + 1) if x_axis.ticks is None else Normalize(0, 9)
        colors = [cmap(norm(v)) for v in x_axis.values]
    axes_all = [make_axis(sweep, a) for a in sweep.axes]
    front = set(pareto_front(cost, latency).tolist())
    texts = [" @ ".join([str(t["label"][i])] + ([", ".join(a.text(i) for a in axes_all)] if axes_all else []))
             if i in front else None for i in range(len(t))]
    extra = []
    if x_axis is not None and x_axis.ticks is not None:
        extra = [Line2D([], [], linestyle="none", label=f"{x_axis.name}:")]
        extra += [Line2D([], [], marker="o", color=cmap(norm(j)), linestyle="none", label=c)
                  for j, c in enumerate(x_axis.ticks)]
    draw_plane(ax, cost, cost_err, latency, latency_err, kinds, texts, colors, extra)
    if x_axis is not None and x_axis.ticks is None:
        fig.colorbar(ScalarMappable(norm=norm, cmap=cmap), ax=ax, label=x_axis.name)
    style.title(ax, f"{sweep.path.name}: latency vs cost over all runs (95% CI)", options)
    return fig
