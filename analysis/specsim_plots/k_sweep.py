"""Figure ``k_sweep``: what each fixed speculation depth buys and costs, with adaptive policies.

Speedup, total cost and unnecessary cost against k for the fixed-k policies (the trade-off an
adaptive policy navigates), and DSP's and the oracle's points at their mean k: an adaptive
policy is worth it when it sits above (speedup) or below (cost) the fixed-k curve.
"""

from __future__ import annotations

import numpy as np
from matplotlib.ticker import MaxNLocator

from . import metrics, style
from .io import MissingData, Run

SIZE = (style.DOUBLE_COLUMN, 2.4)
PANELS = ("speedup", "cost_usd", "unnecessary_cost_usd")


def fixed_k_value(policy) -> float | None:
    """The k of a fixed_k policy, from its configuration."""
    k = policy.config.get("k")
    return float(k) if isinstance(k, (int, float)) else None


def plot_k_sweep(run: Run, options=None):
    """Three panels against k: speedup, cost and unnecessary cost (95% CI error bars)."""
    fixed = [(fixed_k_value(p), p.label) for p in run.policies_of_kind("fixed_k")]
    fixed = sorted((k, label) for k, label in fixed if k is not None)
    if not fixed:
        raise MissingData(run.path, "fixed_k policies in table /summary")
    adaptive = [p.label for p in run.policies if p.kind not in ("fixed_k", "sequential")]
    fixed_rows = metrics.summary_rows(run, [label for _, label in fixed])
    adaptive_rows = metrics.summary_rows(run, adaptive) if adaptive else np.array([], dtype=int)
    ks = np.array([k for k, _ in fixed])
    mean_k = run.summary["mean_k"] if "mean_k" in run.summary else None
    if adaptive and mean_k is None:
        raise MissingData(run.path, "column mean_k in table /summary")
    colors = style.series_colors(len(adaptive) + 1)[1:]
    kinds = {p.label: p.kind for p in run.policies}

    fig, axes = style.new_figure(*SIZE, ncols=len(PANELS))
    for ax, metric in zip(axes[0], PANELS):
        values, errors = metrics.run_metric(run, metric, fixed_rows)
        ax.errorbar(ks, values, yerr=metrics.errorbar_values(errors), fmt="o-", color=style.kind_style("fixed_k")[1],
                    capsize=3, markersize=5, label="fixed k")
        if len(adaptive_rows):
            values, errors = metrics.run_metric(run, metric, adaptive_rows)
            errs = metrics.errorbar_values(errors)
            for j, (label, row) in enumerate(zip(adaptive, adaptive_rows)):
                marker = style.kind_style(kinds[label])[0]
                ax.errorbar([mean_k[row]], [values[j]], yerr=None if errs is None else [errs[j]], fmt=marker,
                            color=colors[j], markeredgecolor="black", markeredgewidth=0.5, capsize=3,
                            markersize=9 if marker == "*" else 7, label=f"{label} (at mean k)")
        metrics.draw_baseline(ax, run, metric)
        ax.set_xlabel("speculation depth k (steps)")
        ax.set_ylabel(metrics.label(metric))
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.grid(True, alpha=0.3)
    axes[0, 0].legend(fontsize=7, loc="best")
    style.title(fig, f"{run.name}: fixed k vs adaptive depth (95% CI)", options)
    return fig
