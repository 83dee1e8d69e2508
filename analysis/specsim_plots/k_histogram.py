"""Figure ``k_histogram``: which speculation depths each adaptive policy actually chose.

Mean k hides whether a policy adapts (a spread of depths) or has collapsed to one depth; the
share of rounds at each k shows it. Drawn from /policies/<label>/k_histogram when the run has it.
"""

from __future__ import annotations

import numpy as np

from . import style
from .io import MissingData, Run

SIZE = (style.DOUBLE_COLUMN, 2.6)
TABLE = "k_histogram"


def plot_k_histogram(run: Run, options=None):
    """Grouped bars: share of rounds started with each k, one colour per policy."""
    tables = {p.label: run.table(p.label, TABLE) for p in run.policies if run.has_table(p.label, TABLE)}
    tables = {l: t for l, t in tables.items() if len(t) and np.sum(t["count"]) > 0}
    if not tables:
        learners = run.policies_of_kind("dsp")
        where = f"/policies/{learners[0].group}/{TABLE}" if learners else f"/policies/<label>/{TABLE}"
        raise MissingData(run.path, f"table {where}")
    ks = sorted({int(k) for t in tables.values() for k in t["k"]})
    width = 0.8 / len(tables)
    fig, axes = style.new_figure(*SIZE)
    ax = axes[0, 0]
    styles = style.policy_styles(list(tables), [run.policy(label).kind for label in tables])
    for j, (label, t) in enumerate(tables.items()):
        color = styles[label][1]
        counts = dict(zip(t["k"].astype(int).tolist(), t["count"].astype(float).tolist()))
        total = sum(counts.values())
        share = [counts.get(k, 0.0) / total for k in ks]
        ax.bar(np.arange(len(ks)) + (j - (len(tables) - 1) / 2) * width, share, width=width, color=color,
               edgecolor="black", linewidth=0.4, label=label)
    ax.set_xticks(range(len(ks)))
    ax.set_xticklabels([str(k) for k in ks])
    ax.set_xlabel("speculation depth k chosen at round start (steps)")
    ax.set_ylabel("share of rounds")
    ax.grid(True, axis="y", alpha=0.3)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    style.title(ax, f"{run.name}: distribution of chosen k", options)
    return fig
