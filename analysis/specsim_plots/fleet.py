"""Figures ``fleet_latency_load`` and ``fleet_cost_load``: a fleet run (``specsim fleet -o``).

Task latency (p95, with p50 fainter) and cost per task against the offered load, one line per
policy, and where each speculating policy stops beating sequential on p95 latency: the load
``specsim fleet`` computed and stored (table ``fleet_break_even``), drawn as a dotted line in the
policy's colour.
"""

from __future__ import annotations

import numpy as np

from . import style
from .io import FleetRun, read_table

SIZE = (style.SINGLE_COLUMN, 2.8)


def _lines(run: FleetRun):
    """(rows, {label: kind}) of the run's fleet table, policies in their first-seen order."""
    rows = read_table(run.path, "fleet")
    labels = list(dict.fromkeys(str(x) for x in rows["policy"]))
    kinds = {str(l): str(k) for l, k in zip(rows["policy"], rows["kind"])}
    return rows, labels, kinds


def _break_even(run: FleetRun) -> dict[str, float]:
    table = read_table(run.path, "fleet_break_even")
    return {str(l): float(x) for l, x in zip(table["policy"], table["load"])}


def _draw(run: FleetRun, columns, ylabel: str, options, log: bool):
    rows, labels, kinds = _lines(run)
    breaks = _break_even(run)
    styles = style.policy_styles(labels, [kinds[l] for l in labels])
    fig, axes = style.new_figure(*SIZE)
    ax = axes[0, 0]
    unit = run.attrs.get("load_unit", "tasks/s")
    for label in labels:
        mask = np.array([str(x) == label for x in rows["policy"]])
        load = rows["load"][mask]
        order = np.argsort(load)
        marker, color, line = styles[label]
        for i, column in enumerate(columns):
            y = rows[column][mask][order]
            ax.plot(load[order], y, marker=marker, color=color, linestyle=line, markersize=3.5,
                    alpha=1.0 if i == 0 else 0.35, label=label if i == 0 else None)
        x = breaks.get(label, np.nan)
        if np.isfinite(x):
            ax.axvline(x, color=color, linestyle=":", linewidth=1.0)
    ax.set_xlabel(f"offered load ({unit})")
    ax.set_ylabel(ylabel)
    if log:
        ax.set_yscale("log")
    ax.grid(True, alpha=0.3)
    ax.legend(loc="lower left", bbox_to_anchor=(0, 1.0), ncol=2, frameon=False)  # above: clear of every line
    style.title(fig, f"{run.name}: dotted, where speculation stops beating sequential on p95", options)
    return fig


def plot_fleet_latency(run: FleetRun, options=None):
    return _draw(run, ("latency_p95_s", "latency_p50_s"), "task latency (s): p95, p50 faint", options, log=True)


def plot_fleet_cost(run: FleetRun, options=None):
    return _draw(run, ("cost_per_task_usd",), "cost per task ($)", options, log=False)
