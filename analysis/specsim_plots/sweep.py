"""Sweep figures: each metric against the sweep's first numeric axis (a panel per policy kind,
axes named in words), the best setting of a two-axis sweep, and the plane of all runs.

A sweep folder's summary has one row per (run, policy). Lines follow a policy across runs; when
a sweep axis changes a policy's own parameters (say ``policies[1].k``) its label changes from
run to run, so a line follows the policy's position in the run rather than its label whenever
every run has the same policies in the same order. Runs that repeat the same axis values with
other seeds are averaged, with the half-width of the mean of independent estimates,
sqrt(sum h_i^2) / n.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from matplotlib import colormaps
from matplotlib.cm import ScalarMappable
from matplotlib.colors import Normalize
from matplotlib.lines import Line2D

from . import metrics, style
from .io import MissingData, Sweep, numeric
from .latency_cost import BOUND_KINDS, draw_plane
from .pareto import pareto_front

METRICS = ("latency_mean_s", "speedup", "cost_usd", "cost_ratio", "unnecessary_cost_usd", "mean_k",
           "concurrency_mean")
SIZE = (style.DOUBLE_COLUMN, 3.6)


@dataclass(frozen=True)
class Axis:
    """A sweep axis as x positions: numbers as they are, text as evenly spaced categories."""

    name: str
    values: np.ndarray  # float position per summary row
    ticks: list[str] | None  # category names when the axis is not numeric
    zipped: tuple[str, ...] = ()  # the axes zipped with it, whose values its ticks carry

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


def zipped_categories(sweep: Sweep) -> Axis | None:
    """A sweep whose first axis is text and whose other axes move with it (zipped: models with
    their agreement): that axis as categories, each named with the others' values too."""
    first, others = sweep.axes[0], sweep.axes[1:]
    if numeric(sweep.summary[first]) is not None or not others:
        return None
    axis, rest = make_axis(sweep, first), [make_axis(sweep, o) for o in others]
    names: dict[int, tuple] = {}
    for i in range(len(sweep.summary)):
        values = tuple(a.text(i) for a in rest)
        if names.setdefault(int(axis.values[i]), values) != values:
            return None  # the others vary on their own: a product
    ticks = [f"{axis.ticks[c]} ({', '.join(names[c])})" for c in range(len(axis.ticks))]
    return Axis(first, axis.values, ticks, tuple(others))


def sweep_x_axis(sweep: Sweep) -> tuple[Axis, Axis | None]:
    """The first numeric axis (else the first axis, as categories), and the next axis if any; a
    zipped text axis (zipped_categories) with no second."""
    if not sweep.axes:
        raise MissingData(sweep.path, "a sweep axis column in the sweep summary (columns between seed and name)")
    zipped = zipped_categories(sweep)
    if zipped is not None:
        return zipped, None
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


KIND_WORDS = {"fixed_k": "fixed k", "dsp": "DSP", "oracle": "oracle", "sequential": "sequential"}
FIELD_WORDS = {"k": "k (steps)", "tau": "tau", "offset": "offset (steps)", "k_max": "k max (steps)",
               "prediction_latency_s": "prediction latency (s)"}
PATH_WORDS = {"agents.approx.model": "approximation model", "agents.target.model": "target model",
              "workload.match.p": "match probability p", "workload.match.alpha": "Beta alpha of the match rate",
              "workload.match.beta": "Beta beta of the match rate", "max_steps": "max steps"}


def base_scenario(sweep: Sweep) -> dict:
    """The scenario of the sweep's first run (as the run file stores it), or {} without runs."""
    import h5py
    import yaml

    if "run_id" not in sweep.summary or not len(sweep.summary):
        return {}
    path = sweep.run_path(str(sweep.summary["run_id"][0]))
    try:
        with h5py.File(path, "r") as f:
            text = f.attrs.get("scenario_yaml")
        doc = yaml.safe_load(text.decode() if isinstance(text, bytes) else text or "")
    except (OSError, yaml.YAMLError):
        return {}
    return doc if isinstance(doc, dict) else {}


def x_label(sweep: Sweep, axis: Axis) -> str:
    """An axis in words, with the axes zipped with it in parentheses."""
    words = axis_label(sweep, axis.name)
    return f"{words} ({', '.join(axis_label(sweep, z) for z in axis.zipped)})" if axis.zipped else words


def axis_label(sweep: Sweep, name: str) -> str:
    """An axis path in words: ``policies[2].tau`` -> "DSP tau", ``workload.match.p`` -> "match probability p"."""
    if name in PATH_WORDS:
        return PATH_WORDS[name]
    m = re.fullmatch(r"policies\[(\d+)\]\.(\w+)", name)
    if m:
        policies = base_scenario(sweep).get("policies") or []
        i = int(m.group(1))
        entry = policies[i] if i < len(policies) else {}
        kind = entry if isinstance(entry, str) else (entry.get("kind", "") if isinstance(entry, dict) else "")
        if kind == "fixed_k" and m.group(2) == "k":
            return "fixed k (steps)"
        return f"{KIND_WORDS.get(kind, kind)} {FIELD_WORDS.get(m.group(2), m.group(2))}".strip()
    return name.replace(".", " ").replace("_", " ")


def closed_form_world(sweep: Sweep) -> tuple[float, float] | None:
    """(a, t): A's and T's constant call latencies, when the sweep's world is the validation one
    (i.i.d. matches, fixed latencies, no jitter): then speedup has a closed form (shared/DESIGN.md §1)."""
    doc = base_scenario(sweep)
    match = ((doc.get("workload") or {}).get("match") or {})
    agents = doc.get("agents") or {}
    try:
        if match.get("kind") != "iid":
            return None
        lat = [agents[a]["latency"] for a in ("approx", "target")]
        if any(l.get("kind") != "fixed" or float(l.get("jitter_sigma", 0)) != 0 for l in lat):
            return None
        return float(lat[0]["seconds"]), float(lat[1]["seconds"])
    except (KeyError, TypeError, AttributeError, ValueError):
        return None


def closed_form_speedup(p: np.ndarray, k: int, a: float, t: float) -> np.ndarray:
    """E[J] / (1 + (a/t)(E[J] - 1)), E[J] = (1 - p^k) / (1 - p): long episodes, one call per step."""
    p = np.asarray(p, float)
    ej = np.where(p < 1, (1 - p ** k) / np.where(p < 1, 1 - p, 1), k)
    return ej / (1 + (a / t) * (ej - 1))


def _draw_line(ax, x_axis, rows, values, errors, **kw):
    x, v, e = aggregate(x_axis.values[rows], values[rows], errors[rows])
    ax.errorbar(x, v, yerr=metrics.errorbar_values(e), capsize=2, markersize=3.5, **kw)


def plot_sweep_metric(sweep: Sweep, metric: str, options=None):
    """One metric against the first numeric axis, a panel per policy kind; sequential drawn once per
    panel (grey); lines per policy, coloured by the second axis when there is one."""
    if metric not in sweep.summary:
        raise MissingData(sweep.path, f"column {metric} in the sweep summary")
    x_axis, second = sweep_x_axis(sweep)
    values, errors = metrics.with_ci(sweep.summary, metric)
    lines = policy_lines(sweep)
    names = [str(n) for n in sweep.summary.get("name", sweep.summary["label"])]
    kind_of = {legend: names[rows[0]] for legend, rows in lines.items()}
    kinds = [k for k in dict.fromkeys(kind_of.values()) if k != "sequential"] or ["sequential"]
    groups = [None] if second is None else list(np.unique(second.values))
    group_colors = [colormaps["viridis"](j / max(1, len(groups) - 1) * 0.9) for j in range(len(groups))]
    fig, axes = style.new_figure(style.DOUBLE_COLUMN, 2.8, ncols=len(kinds), sharey=True)
    world = closed_form_world(sweep) if metric == "speedup" and x_axis.name == "workload.match.p" else None
    for ax, kind in zip(axes[0], kinds):
        # Sequential once: a world axis changes it from group to group, a policy axis does not.
        seq = [rows for legend, rows in lines.items() if kind_of[legend] == "sequential"]
        for rows in seq:
            split = second is not None and second.name not in sweep.decisions
            for g, group in enumerate(groups if split else [None]):
                sel = rows if group is None else rows[second.values[rows] == group]
                if len(sel):
                    _draw_line(ax, x_axis, sel, values, errors, color="#888888", linestyle=":", marker="s",
                               linewidth=1.0)
        mine = [(legend, rows) for legend, rows in lines.items() if kind_of[legend] == kind]
        shades = style.policy_styles([l for l, _ in mine], [kind] * len(mine))
        for legend, rows in mine:
            marker, color, linestyle = shades[legend]
            for g, group in enumerate(groups):
                sel = rows if group is None else rows[second.values[rows] == group]
                if len(sel):
                    _draw_line(ax, x_axis, sel, values, errors, color=color if group is None else group_colors[g],
                               linestyle=linestyle, marker=marker, linewidth=1.1)
        if world is not None and kind == "fixed_k":
            ps = np.linspace(np.nanmin(x_axis.values), np.nanmax(x_axis.values), 200)
            ks = sorted({int(m.group(1)) for legend, rows in mine for l in sweep.summary["label"][rows]
                         for m in [re.search(r"k=(\d+)", str(l))] if m})
            for k in ks:
                ax.plot(ps, closed_form_speedup(ps, k, *world), color="black", linewidth=0.6, linestyle="--", zorder=1)
        if len(kinds) == 1 or len(x_label(sweep, x_axis)) <= 30:
            ax.set_xlabel(x_label(sweep, x_axis))
        ax.text(0.02, 0.98, KIND_WORDS.get(kind, kind), transform=ax.transAxes, va="top", fontsize=8,
                fontweight="bold")
        if x_axis.ticks is not None:
            style.tick_labels(ax, x_axis.ticks)
        ax.grid(True, alpha=0.3)
    axes[0, 0].set_ylabel(metrics.label(metric))
    if len(kinds) > 1 and len(x_label(sweep, x_axis)) > 30:  # one label under the panels: they are narrow
        fig.supxlabel(x_label(sweep, x_axis), fontsize=axes[0, 0].xaxis.label.get_fontsize())
    handles = [Line2D([], [], color="#888888", linestyle=":", marker="s", markersize=3.5, label="sequential")]
    if second is not None:
        handles.append(Line2D([], [], linestyle="none", label=axis_label(sweep, second.name) + ":"))
        rows0 = [int(np.flatnonzero(second.values == g)[0]) for g in groups]
        handles += [Line2D([], [], color=group_colors[j], linewidth=2, label=second.text(r)) for j, r in enumerate(rows0)]
    else:
        for kind in kinds:
            mine = [l for l in lines if kind_of[l] == kind]
            shades = style.policy_styles(mine, [kind] * len(mine))
            handles += [Line2D([], [], color=c, linestyle=ls, marker=m, markersize=3.5, label=l)
                        for l, (m, c, ls) in shades.items()]
    if world is not None:
        handles.append(Line2D([], [], color="black", linestyle="--", linewidth=0.6, label="closed form"))
    axes[0, -1].legend(handles=handles, loc="upper left", bbox_to_anchor=(1.02, 1.0), frameon=False)
    style.title(fig, f"{sweep.path.name}: {metrics.label(metric)}", options)
    return fig


def plot_best_setting(sweep: Sweep, options=None):
    """Two-axis product sweeps: the swept policy's net value (or dollars per second saved) per
    cell, the best setting of the second axis marked in each column."""
    x_axis, second = sweep_x_axis(sweep)
    if second is None:
        raise MissingData(sweep.path, "a second sweep axis (the heatmap needs two)")
    t = sweep.summary
    metric, better = "net_value_usd", np.nanargmax
    if metric not in t or not np.any(np.isfinite(np.asarray(t[metric], float))):
        metric, better = "usd_per_s_saved", np.nanargmin
    if metric not in t:
        raise MissingData(sweep.path, "column usd_per_s_saved in the sweep summary")
    lines = policy_lines(sweep)
    swept = [rows for rows in lines.values() if len({str(l) for l in t["label"][rows]}) > 1]
    rows = swept[0] if swept else next(rows for legend, rows in lines.items() if str(t["name"][rows[0]]) != "sequential")
    xs, ys = np.unique(x_axis.values[rows]), np.unique(second.values[rows])
    if len(set(zip(x_axis.values[rows], second.values[rows]))) < len(xs) * len(ys):
        raise MissingData(sweep.path, "a product of two axes (a zipped sweep has no grid of settings)")
    grid = np.full((len(ys), len(xs)), np.nan)
    values = np.asarray(t[metric], float)
    for r in rows:
        i, j = np.searchsorted(ys, second.values[r]), np.searchsorted(xs, x_axis.values[r])
        grid[i, j] = np.nanmean([grid[i, j], values[r]]) if np.isfinite(grid[i, j]) else values[r]
    fig, axes = style.new_figure(style.SINGLE_COLUMN, 2.8)
    ax = axes[0, 0]
    image = ax.imshow(grid, origin="lower", aspect="auto", cmap="viridis" if better is np.nanargmax else "viridis_r")
    for j in range(len(xs)):
        if np.any(np.isfinite(grid[:, j])):
            i = better(grid[:, j])
            ax.plot(j, i, marker="*", color="white", markeredgecolor="black", markersize=8)
    ax.set_xticks(range(len(xs)))
    ax.set_xticklabels([x_axis.ticks[int(v)] if x_axis.ticks else f"{v:g}" for v in xs], rotation=45 if len(xs) > 6 else 0)
    ax.set_yticks(range(len(ys)))
    ax.set_yticklabels([second.ticks[int(v)] if second.ticks else f"{v:g}" for v in ys])
    ax.set_xlabel(axis_label(sweep, x_axis.name))
    ax.set_ylabel(axis_label(sweep, second.name))
    words = {"net_value_usd": "net value ($/episode)", "usd_per_s_saved": "dollars per second saved ($/s)"}
    fig.colorbar(image, ax=ax, label=words[metric])
    style.title(fig, f"{sweep.path.name}: best setting", options)
    return fig


def plot_sweep_latency_cost(sweep: Sweep, options=None):
    """The latency-cost plane over every (setting, policy), the runs of its seeds averaged,
    coloured by the first sweep axis; the front, labelled, when every axis is a decision."""
    t = sweep.summary
    for column in ("cost_usd", "latency_mean_s", "label"):
        if column not in t:
            raise MissingData(sweep.path, f"column {column} in the sweep summary")
    cost_all, cost_err_all = metrics.with_ci(t, "cost_usd")
    latency_all, latency_err_all = metrics.with_ci(t, "latency_mean_s")
    # One point per (axis values, policy): its seeds' runs are replicates.
    points: dict[tuple, list[int]] = {}
    for i in range(len(t)):
        points.setdefault(tuple(str(t[a][i]) for a in sweep.axes) + (str(t["label"][i]),), []).append(i)
    groups = [np.array(rows) for rows in points.values()]
    first = np.array([rows[0] for rows in groups])

    def pooled(values, errors):
        mean = np.array([np.nanmean(values[rows]) for rows in groups])
        half = np.array([np.sqrt(np.sum(errors[rows] ** 2)) / len(rows) for rows in groups])
        return mean, half

    cost, cost_err = pooled(cost_all, cost_err_all)
    latency, latency_err = pooled(latency_all, latency_err_all)
    # A policy with the same figures under every choice (sequential, which never calls A) is one point.
    seen: dict[tuple, int] = {}
    shared = np.zeros(len(groups), dtype=bool)
    keep = []
    for j, rows in enumerate(groups):
        key = (str(t["label"][rows[0]]), cost[j], latency[j])
        if key in seen:
            shared[seen[key]] = True
        else:
            seen[key] = j
            keep.append(j)
    keep = np.array(keep)
    groups, first, shared = [groups[j] for j in keep], first[keep], shared[keep]
    cost, cost_err, latency, latency_err = cost[keep], cost_err[keep], latency[keep], latency_err[keep]
    kinds = [str(n) for n in np.asarray(t.get("name", t["label"]), dtype=object)[first]]
    x_axis = sweep_x_axis(sweep)[0] if sweep.axes else None
    fig, axes = style.new_figure(*SIZE)
    ax = axes[0, 0]
    colors = None
    if x_axis is not None:
        cmap = colormaps["viridis"] if x_axis.ticks is None else colormaps["tab10"]
        lo, hi = np.nanmin(x_axis.values), np.nanmax(x_axis.values)
        norm = Normalize(lo, hi if hi > lo else lo + 1) if x_axis.ticks is None else Normalize(0, 9)
        colors = [cmap(norm(v)) for v in x_axis.values[first]]
    axes_all = [make_axis(sweep, a) for a in sweep.axes]
    # A front only among points of one world: a user chooses a setting, not a world; labelled
    # on the runnable points (the oracle is a bound).
    one_world = all(a in sweep.decisions for a in sweep.axes)
    runnable = np.flatnonzero([k not in BOUND_KINDS for k in kinds])
    front = set(runnable[pareto_front(cost[runnable], latency[runnable])].tolist()) if one_world else set()
    texts = [" @ ".join([str(t["label"][i])] + ([", ".join(a.text(i) for a in axes_all)] if axes_all and not shared[j] else []))
             if j in front else None for j, i in enumerate(first)]
    extra = []
    if x_axis is not None and x_axis.ticks is not None:
        extra = [Line2D([], [], linestyle="none", label=f"{x_label(sweep, x_axis)}:")]
        extra += [Line2D([], [], marker="o", color=cmap(norm(j)), linestyle="none", label=c)
                  for j, c in enumerate(x_axis.ticks)]
    draw_plane(ax, cost, cost_err, latency, latency_err, kinds, texts, colors, extra, with_front=one_world)
    if x_axis is not None and x_axis.ticks is None:
        fig.colorbar(ScalarMappable(norm=norm, cmap=cmap), ax=ax, label=axis_label(sweep, x_axis.name))
    style.title(ax, f"{sweep.path.name}: latency vs cost over all runs (95% CI)", options)
    return fig
