"""The figures a user decides with: how latency is distributed (CDF with p50/p95/p99), where the
money goes (cost breakdown), what a second saved costs against the knob, and how the speedup
varies from episode to episode.

Every figure reads the per-episode tables (the summary's means hide the tails) and draws each
policy in its kind's colour and marker (style.policy_styles).
"""

from __future__ import annotations

import numpy as np
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from . import metrics, style
from .io import MissingData, Run
from .k_sweep import fixed_k_value

QUANTILES = ((0.50, "p50", "o"), (0.95, "p95", "s"), (0.99, "p99", "D"))


def _styles(run: Run, policies):
    return style.policy_styles([p.label for p in policies], [p.kind for p in policies])


def plot_latency_cdf(run: Run, options=None):
    """Empirical CDF of episode latency per policy, p50/p95/p99 marked on each curve."""
    policies = [p for p in run.policies if run.has_table(p.label, "episodes")]
    if not policies:
        raise MissingData(run.path, "table /policies/*/episodes")
    styles = _styles(run, policies)
    fig, axes = style.new_figure(style.DOUBLE_COLUMN, 3.2)
    ax = axes[0, 0]
    for p in policies:
        latency = np.sort(np.asarray(run.table(p.label, "episodes")["latency_s"], float))
        marker, color, line = styles[p.label]
        share = np.arange(1, len(latency) + 1) / len(latency)
        ax.step(latency, share, where="post", color=color, linestyle=line, label=p.label)
        for q, _, qmarker in QUANTILES:
            x = float(np.quantile(latency, q, method="inverted_cdf"))
            ax.plot([x], [q], marker=qmarker, color=color, markeredgecolor="black", markeredgewidth=0.4,
                    markersize=3.5, linestyle="none")
    for q, name, _ in QUANTILES:
        ax.axhline(q, color="#bbbbbb", linewidth=0.6, linestyle=":", zorder=0)
        ax.text(1.0, q, f" {name}", transform=ax.get_yaxis_transform(), va="center", fontsize=6.5, color="#555555")
    ax.set_xlabel("episode latency (s)")
    ax.set_ylabel("share of episodes")
    ax.set_ylim(0, 1.02)
    ax.grid(True, alpha=0.3)
    ax.legend(loc="upper left", bbox_to_anchor=(1.06, 1.0), frameon=False)
    style.title(fig, f"{run.name}: latency distribution", options)
    return fig


BREAKDOWN = (
    ("committed", "target's committed calls", "#4c72b0"),
    ("speculation_cost_usd", "matched guesses (speculation)", "#55a868"),
    ("unnecessary_cost_usd", "unnecessary: wrong guesses, calls after them, cancelled", "#c44e52"),
)


def plot_cost_breakdown(run: Run, options=None):
    """Cost per episode of each policy, stacked: committed path, speculation, unnecessary."""
    s = run.summary
    for column in ("cost_usd", "speculation_cost_usd", "unnecessary_cost_usd", "label"):
        if column not in s:
            raise MissingData(run.path, f"column {column} in table /summary")
    labels = [str(l) for l in s["label"]]
    cost = np.asarray(s["cost_usd"], float)
    parts = {"speculation_cost_usd": np.asarray(s["speculation_cost_usd"], float),
             "unnecessary_cost_usd": np.asarray(s["unnecessary_cost_usd"], float)}
    parts["committed"] = cost - parts["speculation_cost_usd"] - parts["unnecessary_cost_usd"]
    fig, axes = style.new_figure(style.DOUBLE_COLUMN, 2.8)
    ax = axes[0, 0]
    x = np.arange(len(labels))
    bottom = np.zeros(len(labels))
    for key, text, color in BREAKDOWN:
        ax.bar(x, parts[key], bottom=bottom, color=color, width=0.7, label=text, edgecolor="white", linewidth=0.4)
        bottom += parts[key]
    _, errors = metrics.with_ci(s, "cost_usd")
    ax.errorbar(x, cost, yerr=metrics.errorbar_values(errors), fmt="none", ecolor="black", elinewidth=0.7, capsize=2)
    style.tick_labels(ax, labels)
    ax.set_ylabel("cost ($/episode)")
    ax.grid(True, axis="y", alpha=0.3)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    style.title(fig, f"{run.name}: where the money goes", options)
    return fig


def _knob(p) -> tuple[str, float] | None:
    """The knob a policy's dollars per second saved are drawn against: k for fixed k, tau for DSP."""
    if p.kind == "fixed_k":
        k = fixed_k_value(p)
        return ("k", k) if k is not None else None
    if p.kind == "dsp":
        tau = p.config.get("tau", 0.5)
        return ("tau", float(tau)) if isinstance(tau, (int, float)) else None
    return None


def plot_cost_per_second_saved(run: Run, options=None):
    """Dollars added per second saved (paired with sequential) against fixed k, and DSP against tau."""
    s = run.summary
    if "usd_per_s_saved" not in s:
        raise MissingData(run.path, "column usd_per_s_saved in table /summary")
    row = {str(l): i for i, l in enumerate(s["label"])}
    groups = {"k": [], "tau": []}
    for p in run.policies:
        knob = _knob(p)
        if knob is not None and p.label in row:
            groups[knob[0]].append((knob[1], row[p.label], p.kind))
    groups = {k: sorted(v) for k, v in groups.items() if v}
    if not groups:
        raise MissingData(run.path, "fixed_k or dsp policies in table /summary")
    value = np.asarray(s["usd_per_s_saved"], float)
    error = np.asarray(s["usd_per_s_saved_ci95"], float) if "usd_per_s_saved_ci95" in s else np.full(len(value), np.nan)
    names = {"k": "speculation depth k (fixed k)", "tau": "expectile tau (DSP)"}
    fig, axes = style.new_figure(style.DOUBLE_COLUMN if len(groups) > 1 else style.SINGLE_COLUMN, 2.6,
                                 ncols=len(groups), sharey=True)
    for ax, (knob, points) in zip(axes[0], groups.items()):
        xs = np.array([x for x, _, _ in points])
        rows = np.array([r for _, r, _ in points])
        marker, color = style.kind_style(points[0][2])
        ax.errorbar(xs, value[rows], yerr=metrics.errorbar_values(error[rows]), fmt=f"{marker}-", color=color,
                    markeredgecolor="black", markeredgewidth=0.4, capsize=2)
        ax.set_xlabel(names[knob])
        ax.grid(True, alpha=0.3)
    axes[0, 0].set_ylabel("dollars added per second saved ($/s)")
    style.title(fig, f"{run.name}: the price of a second", options)
    return fig


def plot_speedup_distribution(run: Run, options=None):
    """Per-episode speedup (sequential latency / policy latency, same episode) of each policy."""
    base = [p for p in run.policies if p.kind == "sequential"]
    if not base or not run.has_table(base[0].label, "episodes"):
        raise MissingData(run.path, "table /policies/sequential/episodes (list sequential among the policies)")
    reference = run.table(base[0].label, "episodes")
    by_episode = dict(zip(np.asarray(reference["episode"]).tolist(), np.asarray(reference["latency_s"], float)))
    policies = [p for p in run.policies if p.kind != "sequential" and run.has_table(p.label, "episodes")]
    if not policies:
        raise MissingData(run.path, "a speculating policy's episodes table")
    styles = _styles(run, policies)
    data = []
    for p in policies:
        t = run.table(p.label, "episodes")
        ref = np.array([by_episode.get(e, np.nan) for e in np.asarray(t["episode"]).tolist()])
        data.append(ref / np.asarray(t["latency_s"], float))
    fig, axes = style.new_figure(style.DOUBLE_COLUMN, 2.8)
    ax = axes[0, 0]
    parts = ax.violinplot([d[np.isfinite(d)] for d in data], positions=np.arange(len(data)), showextrema=False,
                          widths=0.8)
    for body, p in zip(parts["bodies"], policies):
        body.set_facecolor(styles[p.label][1])
        body.set_edgecolor("black")
        body.set_linewidth(0.4)
        body.set_alpha(0.8)
    for j, d in enumerate(data):
        q1, med, q3 = np.nanpercentile(d, [25, 50, 75])
        ax.vlines(j, q1, q3, color="black", linewidth=2)
        ax.plot([j], [np.nanmean(d)], marker="D", color="white", markeredgecolor="black", markersize=3.5)
        ax.plot([j], [med], marker="_", color="black", markersize=8)
    ax.axhline(1.0, color="#666666", linestyle=":", linewidth=0.8)
    style.tick_labels(ax, [p.label for p in policies])
    ax.set_ylabel("speedup over sequential, per episode (×)")
    ax.grid(True, axis="y", alpha=0.3)
    handles = [Line2D([], [], color="black", linewidth=2, label="quartiles"),
               Line2D([], [], marker="_", color="black", linestyle="none", markersize=8, label="median"),
               Line2D([], [], marker="D", color="white", markeredgecolor="black", linestyle="none", label="mean"),
               Patch(facecolor="#cccccc", edgecolor="black", label="density")]
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    style.title(fig, f"{run.name}: per-episode speedup", options)
    return fig
