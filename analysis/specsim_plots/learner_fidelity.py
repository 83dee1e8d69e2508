"""Figure ``learner_fidelity``: DSP's learner reproduced on DSP's runs.

Left, the share of rounds at each k that DSP's predictor chose and that each simulated learner
chose on the same runs (total variation distance in the legend). Right, the predictor's accuracy
on its training batch before each job's first step (what DSP's train logs record), by the task
during which the job ran, as a mean over folders: DSP's and each simulated learner's. Drawn
from the ``learner`` rows of ``specsim trace fidelity --json``.
"""

from __future__ import annotations

import numpy as np

from . import style
from .io import Fidelity, MissingData

SIZE = (10.0, 4.2)


def _shares(counts: dict) -> dict[int, float]:
    total = sum(counts.values())
    return {int(k): n / total for k, n in counts.items()} if total else {}


def _label(row: dict) -> str:
    start = f"pretrained at {row['pretrain_lr']:g}" if row.get("pretrain_lr") else "cold start"
    return f"specsim, {start}, lr {row['lr']:g}: TV {row['total_variation']:.3f}"


def _accuracy_by_task(row: dict, key: str) -> np.ndarray:
    sums, counts = {}, {}
    for session in row.get("sessions", []):
        for job in session.get(key, []):
            t = int(job["task"])
            sums[t] = sums.get(t, 0.0) + float(job["accuracy"])
            counts[t] = counts.get(t, 0) + 1
    n = max(sums, default=-1) + 1
    return np.array([sums[t] / counts[t] if t in counts else np.nan for t in range(n)])


def plot_learner_fidelity(fid: Fidelity, options=None):
    if not fid.learner:
        raise MissingData(fid.path, "learner rows (a trace with recorded k)")
    fig, axes = style.new_figure(*SIZE, ncols=2)
    ax = axes[0, 0]
    recorded = _shares(fid.learner[0]["recorded_k"])
    rows = [("DSP's recorded choices", recorded)] + [(_label(r), _shares(r["simulated_k"])) for r in fid.learner]
    ks = sorted({k for _, shares in rows for k in shares})
    width = 0.8 / len(rows)
    colors = ["0.2"] + style.series_colors(len(rows) - 1)
    for i, (label, shares) in enumerate(rows):
        x = np.arange(len(ks)) + (i - (len(rows) - 1) / 2) * width
        ax.bar(x, [100 * shares.get(k, 0.0) for k in ks], width, color=colors[i], label=label)
    ax.set_xticks(np.arange(len(ks)), [str(k) for k in ks])
    ax.set_xlabel("k chosen at a round's start")
    ax.set_ylabel("share of rounds (%)")
    ax.set_title(f"k on DSP's runs ({sum(fid.learner[0]['recorded_k'].values())} rounds)", fontsize=10)
    ax.grid(True, axis="y", alpha=0.3)
    ax.legend(fontsize=6.5)

    ax = axes[0, 1]
    dsp = _accuracy_by_task(fid.learner[0], "recorded_jobs")
    simulated = [_accuracy_by_task(r, "simulated_jobs") for r in fid.learner]
    if not len(dsp) and not any(len(a) for a in simulated):
        style.note(ax, "no training jobs, recorded or simulated")
        return fig
    ax.plot(np.arange(1, len(dsp) + 1), 100 * dsp, "o-", color=colors[0],
            label=f"DSP's train logs ({fid.learner[0]['recorded_training_jobs']} jobs)")
    for i, (row, acc) in enumerate(zip(fid.learner, simulated)):
        ax.plot(np.arange(1, len(acc) + 1), 100 * acc, "^-", color=colors[i + 1],
                label=f"{_label(row).split(':')[0]} ({row['training_jobs']} jobs)")
    ax.set_xlabel("task position in its folder's run")
    ax.set_ylabel("batch accuracy before a job's first step (%)")
    ax.set_ylim(-5, 105)
    ax.set_title("predictor accuracy over the run (mean over folders)", fontsize=10)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=6.5)
    return fig
