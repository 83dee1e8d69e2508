"""Figure ``parity``: simulated against measured latency for every recorded run, per mode.

A point on the diagonal is a run predicted exactly. The held-out modes (leave one task out,
leave one folder out) are what the fidelity claim rests on; the replay of the run's own timings
is drawn faintly as the planner check it is, and the naive estimate (the target alone, from the
same held-out latency models) beside them shows what the simulator adds. Drawn from the JSON of
``specsim trace fidelity --json``.
"""

from __future__ import annotations

import numpy as np

from . import style
from .io import Fidelity, MissingData

SIZE = (style.SINGLE_COLUMN, 3.3)
# (mode, label prefix, marker, face colour, alpha); the naive estimate is keyed "naive".
SERIES = (
    ("replay", "replay (own timings)", ".", "0.6", 0.6),
    ("lofo", "leave one folder out", "^", "tab:green", 0.8),
    ("loto_modelled", "leave one task out, modelled verdicts and k", "s", "tab:orange", 0.8),
    ("loto", "leave one task out", "o", "tab:blue", 0.95),
)


def _series(fid: Fidelity, mode: str, key: str = "simulated_s"):
    measured, simulated = [], []
    for run in fid.runs:
        value = (run.get(key) or {}).get(mode)
        if value is None or run.get("measured_s") is None:
            continue
        measured.append(float(run["measured_s"]))
        simulated.append(float(value))
    return np.array(measured), np.array(simulated)


def plot_parity(fid: Fidelity, options=None):
    modes = {m.get("name"): m for m in fid.modes}
    if "loto" not in modes:
        raise MissingData(fid.path, "mode loto")
    fig, axes = style.new_figure(*SIZE)
    ax = axes[0, 0]
    lo, hi = np.inf, 0.0
    naive_x, naive_y = _series(fid, "loto", "naive_s")
    if len(naive_x):
        m = modes["loto"]
        ax.scatter(naive_x, naive_y, marker="x", color="0.35", s=22, linewidths=0.8, alpha=0.7,
                   label=f"naive (target alone), same models: MAPE {m['naive_mape_percent']:.1f}%")
        lo, hi = min(lo, naive_x.min(), naive_y.min()), max(hi, naive_x.max(), naive_y.max())
    for mode, label, marker, color, alpha in SERIES:
        if mode not in modes:
            continue
        x, y = _series(fid, mode)
        if not len(x):
            continue
        m = modes[mode]
        ax.scatter(x, y, marker=marker, color=color, edgecolor="black" if marker != "." else None, linewidths=0.4,
                   s=30 if marker != "." else 40, alpha=alpha,
                   label=f"{label}: MAPE {m['mape_percent']:.1f}%, mean {100 * m['mean_error']:+.1f}%")
        lo, hi = min(lo, x.min(), y.min()), max(hi, x.max(), y.max())
    lo, hi = 0.9 * lo, 1.05 * hi
    line = np.array([lo, hi])
    ax.plot(line, line, color="black", linewidth=0.8)
    ax.fill_between(line, 0.9 * line, 1.1 * line, color="tab:blue", alpha=0.08, linewidth=0, label="within 10%")
    ax.set_xlim(lo, hi)
    ax.set_ylim(lo, hi)
    ax.set_aspect("equal")
    ax.set_xlabel("measured end-to-end latency of the recorded run (s)")
    ax.set_ylabel("simulated latency (s)")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=6.5, loc="upper left")
    title = f"fidelity on {len(fid.runs)} recorded runs"
    if fid.noise_floor_percent is not None:
        title += f" (noise floor {fid.noise_floor_percent:.1f}%)"
    style.title(ax, title, options)
    return fig
