"""Metric values with their 95% intervals, and the axis labels (with units) that go with them.

The summary names a metric's half-width by a rule (``latency_mean_s`` -> ``latency_ci95_s``,
``cost_usd`` -> ``cost_ci95_usd``, ``speedup`` -> ``speedup_ci95``); metrics without one (e.g.
unnecessary cost) get a normal-approximation interval from the per-episode table when the run
has it, so every error bar in every figure means the same thing.
"""

from __future__ import annotations

import math

import numpy as np

from .io import BadInput, MissingData, Run, Table

# Axis labels with units, for every metric a figure may show.
LABELS = {
    "latency_mean_s": "mean latency (s)",
    "latency_p50_s": "median latency (s)",
    "latency_p95_s": "p95 latency (s)",
    "speedup": "speedup over sequential (×)",
    "cost_usd": "cost ($/episode)",
    "cost_ratio": "cost ratio (policy / sequential)",
    "unnecessary_cost_usd": "unnecessary cost ($/episode)",
    "speculation_cost_usd": "speculation cost ($/episode)",
    "mean_k": "mean speculation depth k (steps)",
    "concurrency_mean": "mean calls in flight",
    "concurrency_peak": "peak calls in flight",
    "steps": "steps per episode",
}

# Summary metric -> the per-episode column it is the mean of (for intervals computed here).
EPISODE_COLUMN = {
    "latency_mean_s": "latency_s",
    "cost_usd": "cost_usd",
    "unnecessary_cost_usd": "unnecessary_cost_usd",
    "speculation_cost_usd": "speculation_cost_usd",
    "concurrency_mean": "concurrency_mean",
    "mean_k": "mean_k",
}

Z95 = 1.959963984540054


def label(metric: str) -> str:
    return LABELS.get(metric, metric)


def ci_column(metric: str) -> str:
    """The summary column holding a metric's 95% half-width, by the summary's naming rule."""
    for unit in ("_s", "_usd"):
        if metric.endswith(unit):
            stem = metric[: -len(unit)]
            stem = stem[: -len("_mean")] if stem.endswith("_mean") else stem
            return f"{stem}_ci95{unit}"
    return f"{metric}_ci95"


def ci95(values: np.ndarray) -> float:
    """Half-width of the normal 95% interval of a mean (NaN for fewer than two values)."""
    values = np.asarray(values, dtype=float)
    values = values[np.isfinite(values)]
    if len(values) < 2:
        return math.nan
    return Z95 * float(np.std(values, ddof=1)) / math.sqrt(len(values))


def with_ci(table: Table, metric: str) -> tuple[np.ndarray, np.ndarray]:
    """A summary-like table's metric and its half-widths (NaN where the table has none)."""
    if metric not in table:
        raise KeyError(metric)
    values = np.asarray(table[metric], dtype=float)
    ci = ci_column(metric)
    errors = np.asarray(table[ci], dtype=float) if ci in table else np.full(len(values), math.nan)
    return values, errors


def run_metric(run: Run, metric: str, rows: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """A run's summary metric (all rows, or the given row indices) with 95% half-widths.

    Where the summary has no interval for the metric, it is computed from the policy's
    episodes table; if that is absent too, the half-width is NaN (no error bar drawn).
    """
    summary = run.summary
    if metric not in summary:
        raise MissingData(run.path, f"column {metric} in table /summary")
    idx = np.arange(len(summary)) if rows is None else np.asarray(rows, dtype=int)
    values, errors = with_ci(summary, metric)
    values, errors = values[idx].copy(), errors[idx].copy()
    column = EPISODE_COLUMN.get(metric)
    if column is None or ci_column(metric) in summary:
        return values, errors
    for j, i in enumerate(idx):
        try:
            episodes = run.table(summary["label"][i], "episodes")
        except (MissingData, BadInput):  # no table, or a summary label without a group
            continue
        if column in episodes:
            errors[j] = ci95(episodes[column])
    return values, errors


def errorbar_values(errors: np.ndarray) -> np.ndarray | None:
    """Errors as matplotlib wants them: None when there are none, 0 where one is unknown."""
    errors = np.asarray(errors, dtype=float)
    if not np.any(np.isfinite(errors)):
        return None
    return np.where(np.isfinite(errors), errors, 0.0)


def baseline(run: Run, metric: str) -> float | None:
    """The sequential policy's value of a metric: the reference line of per-knob plots."""
    summary = run.summary
    if metric not in summary or "name" not in summary:
        return None
    rows = np.flatnonzero(summary["name"] == "sequential")
    return float(summary[metric][rows[0]]) if len(rows) else None


def draw_baseline(ax, run: Run, metric: str) -> None:
    """A dashed horizontal line at the sequential policy's value, if the run has one."""
    value = baseline(run, metric)
    if value is not None and np.isfinite(value):
        ax.axhline(value, color="#666666", linestyle=":", linewidth=1, label="sequential", zorder=0)


def summary_rows(run: Run, labels) -> np.ndarray:
    """Row indices of /summary for the given policy labels (MissingData if one has no row)."""
    summary = run.summary
    index = {str(l): i for i, l in enumerate(summary["label"])}
    missing = [l for l in labels if l not in index]
    if missing:
        raise MissingData(run.path, f"row '{missing[0]}' in table /summary")
    return np.array([index[l] for l in labels], dtype=int)
