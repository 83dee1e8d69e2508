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
    kinds = {p.label: p.kind for p in run.policies}
    styles = style.policy_styles(adaptive, [kinds[label] for label in adaptive])

    fig, axes = style.new_figure(*SIZE, ncols=len(PANELS))
    for ax, metric in zip(axes[0], PANELS):
        values, errors = metrics.run_metric(run, metric, fixed_rows)
        ax.errorbar(ks, values, yerr=metrics.errorbar_values(errors), fmt="o-", color=style.kind_style("fixed_k")[1],
                    capsize=3, markersize=5, label="fixed k")
        if len(adaptive_rows):
            values, errors = metrics.run_metric(run, metric, adaptive_rows)
            errs = metrics.errorbar_values(errors)
            for j, (label, row) in enumerate(zip(adaptive, adaptive_rows)):
                marker, color, _ = styles[label]
                ax.errorbar([mean_k[row]], [values[j]], yerr=None if errs is None else [errs[j]], fmt=marker,
                            color=color, markeredgecolor="black", markeredgewidth=0.5, capsize=2,
                            markersize=7 if marker == "*" else 5, label=label)
        metrics.draw_baseline(ax, run, metric)
        ax.set_xlabel("speculation depth k (steps)")
        ax.set_ylabel(metrics.label(metric))
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.grid(True, alpha=0.3)
    # Outside, right of the last panel: a legend inside would cover the points.
    handles, labels = axes[0, 0].get_legend_handles_labels()
    axes[0, -1].legend(handles, labels, loc="upper left", bbox_to_anchor=(1.03, 1.0), frameon=False,
                       title="adaptive at mean k" if adaptive else None, title_fontsize=7)
    style.title(fig, f"{run.name}: fixed k vs adaptive depth (95% CI)", options)
    return fig
