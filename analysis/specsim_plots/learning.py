"""Figure ``learning_curve``: how fast each DSP predictor learns, and how often it retrains.

Per-episode accuracy (a prediction counts if it equals the ideal k or one more, DSP's own
measure) and mean absolute error are noisy, so they are smoothed by a trailing rolling mean
weighted by the episode's number of predictions; the cumulative number of training jobs on a
secondary axis shows whether a plateau is the model's limit or a lack of training.
"""

from __future__ import annotations

import numpy as np
from matplotlib.lines import Line2D

from . import style
from .io import MissingData, Run

SIZE = (style.DOUBLE_COLUMN, 3.6)
TABLE = "learning"


def rolling_mean(values, window: int, weights=None) -> np.ndarray:
    """Trailing mean over the last ``window`` entries, NaN-aware, optionally weighted.

    Entries with a NaN value or a zero weight do not count; where no entry counts, the result
    is NaN (an episode without predictions says nothing about accuracy).
    """
    values = np.asarray(values, dtype=float)
    weights = np.ones_like(values) if weights is None else np.asarray(weights, dtype=float)
    window = max(1, int(window))
    ok = np.isfinite(values) & np.isfinite(weights) & (weights > 0)
    w = np.where(ok, weights, 0.0)
    wv = np.where(ok, values * w, 0.0)
    cw = np.concatenate(([0.0], np.cumsum(w)))
    cwv = np.concatenate(([0.0], np.cumsum(wv)))
    hi = np.arange(1, len(values) + 1)
    lo = np.maximum(0, hi - window)
    total = cw[hi] - cw[lo]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, (cwv[hi] - cwv[lo]) / total, np.nan)


def default_window(episodes: int) -> int:
    """About 5% of the run, between 1 and 200 episodes: smooth, yet early learning stays visible."""
    return int(min(200, max(1, episodes // 20)))


def learning_tables(run: Run) -> dict[str, object]:
    """{label: learning table} for every policy that has one; MissingData naming it if none."""
    tables = {p.label: run.table(p.label, TABLE) for p in run.policies if run.has_table(p.label, TABLE)}
    if not tables:
        learners = run.policies_of_kind("dsp")
        where = f"policies/{learners[0].group}" if learners else "policies/<label>"
        suffix = "" if learners else " (the run has no learning policy)"
        raise MissingData(run.path, f"table /{where}/{TABLE}{suffix}")
    return tables


def plot_learning_curve(run: Run, options=None):
    """Rolling accuracy and MAE per learning policy, with cumulative training jobs (right axis)."""
    tables = learning_tables(run)
    fig, axes = style.new_figure(*SIZE, nrows=2, sharex=True)
    ax_acc, ax_mae = axes[0, 0], axes[1, 0]
    ax_jobs = ax_acc.twinx()
    styles = style.policy_styles(list(tables), [run.policy(label).kind for label in tables])
    windows = set()
    for label, t in tables.items():
        _, color, linestyle = styles[label]
        for column in ("episode", "accuracy", "mae"):
            if column not in t:
                raise MissingData(run.path, f"column {column} in table /policies/{run.policy(label).group}/{TABLE}")
        window = getattr(options, "window", None) or default_window(len(t))
        windows.add(window)
        weights = t.get("predictions")
        ax_acc.plot(t["episode"], rolling_mean(t["accuracy"], window, weights), color=color, linestyle=linestyle,
                    linewidth=1.1, label=label)
        ax_mae.plot(t["episode"], rolling_mean(t["mae"], window, weights), color=color, linestyle=linestyle,
                    linewidth=1.1, label=label)
        if "training_jobs" in t:
            ax_jobs.plot(t["episode"], t["training_jobs"], color=color, linewidth=0.6, linestyle=":")
    window_text = ", ".join(str(w) for w in sorted(windows))
    ax_acc.set_ylabel("accuracy (ideal k or k+1)")
    ax_acc.set_ylim(-0.02, 1.02)
    ax_jobs.set_ylabel("training jobs (cumulative)")
    ax_mae.set_ylabel("MAE of predicted k (steps)")
    ax_mae.set_xlabel("episode")
    for ax in (ax_acc, ax_mae):
        ax.grid(True, alpha=0.3)
    # Both legends outside the axes, right of the plots: inside they covered the curves.
    ax_mae.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), frameon=False, title="policy", title_fontsize=7)
    ax_jobs.legend(handles=[Line2D([], [], color="black", linewidth=1.1, label=f"accuracy (rolling mean, {window_text} ep.)"),
                            Line2D([], [], color="black", linewidth=0.6, linestyle=":", label="training jobs (right axis)")],
                   loc="upper left", bbox_to_anchor=(1.12, 1.0), frameon=False)
    style.title(fig, f"{run.name}: predictor learning curves", options)
    return fig
