"""Figure ``concurrency``: how many calls each policy keeps in flight, episode by episode.

Deeper speculation multiplies parallel calls, which is what provider rate limits and GPU
capacity see. The left panel shows the distribution of per-episode time-averaged concurrency
(box plots: robust to the constant 1 of the sequential baseline, where a violin has no
density), the right one the share of episodes reaching each peak.
"""

from __future__ import annotations

import numpy as np
from matplotlib import colormaps
from matplotlib.patches import Patch

from . import style
from .io import MissingData, Run

SIZE = (style.DOUBLE_COLUMN, 3.0)


def episode_columns(run: Run, columns: tuple[str, ...]) -> dict[str, dict[str, np.ndarray]]:
    """{label: {column: per-episode values}} for every policy; MissingData names a gap."""
    out = {}
    for p in run.policies:
        t = run.table(p.label, "episodes")
        for c in columns:
            if c not in t:
                raise MissingData(run.path, f"column {c} in table /policies/{p.group}/episodes")
        out[p.label] = {c: np.asarray(t[c], dtype=float) for c in columns}
    if not out:
        raise MissingData(run.path, "table /policies/<label>/episodes (the file has no policies)")
    return out


def plot_concurrency(run: Run, options=None):
    """Box plots of per-episode mean concurrency; stacked shares of per-episode peak."""
    data = episode_columns(run, ("concurrency_mean", "concurrency_peak"))
    labels = list(data)
    fig, axes = style.new_figure(*SIZE, ncols=2)
    ax_mean, ax_peak = axes[0]

    ax_mean.boxplot([data[l]["concurrency_mean"] for l in labels], positions=range(len(labels)), widths=0.6,
                    showmeans=True, meanprops={"marker": "D", "markerfacecolor": "white", "markeredgecolor": "black",
                                               "markersize": 4},
                    flierprops={"marker": ".", "markersize": 2, "alpha": 0.4}, medianprops={"color": "#d62728"})
    style.tick_labels(ax_mean, labels)
    ax_mean.set_ylabel("mean calls in flight per episode")
    style.title(ax_mean, "mean concurrency per episode (box: quartiles, ◇: mean)", options)
    ax_mean.grid(True, axis="y", alpha=0.3)

    peaks = sorted({int(v) for l in labels for v in data[l]["concurrency_peak"] if np.isfinite(v)})
    cmap = colormaps["viridis"]
    shades = {p: cmap(i / max(1, len(peaks) - 1) * 0.9) for i, p in enumerate(peaks)}
    bottom = np.zeros(len(labels))
    for p in peaks:
        share = np.array([np.mean(data[l]["concurrency_peak"] == p) for l in labels])
        ax_peak.bar(range(len(labels)), share, bottom=bottom, color=shades[p], edgecolor="white", linewidth=0.5,
                    width=0.7)
        bottom += share
    style.tick_labels(ax_peak, labels)
    ax_peak.set_ylabel("share of episodes by peak calls in flight")
    ax_peak.set_ylim(0, 1)
    style.title(ax_peak, "peak calls in flight per episode", options)
    ax_peak.legend(handles=[Patch(color=shades[p], label=str(p)) for p in reversed(peaks)], title="peak",
                   fontsize=7, title_fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    style.title(fig, f"{run.name}: concurrency", options)
    return fig
