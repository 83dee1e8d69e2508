"""Figure ``knobs``: DSP's two control knobs, the expectile tau and the offset beta.

Both knobs trade latency for cost; the figure shows how smoothly each one does it (mean k,
latency and cost against the knob), which decides which knob a user should turn. A run that
varies only one knob gets a note in place of the other group of panels.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
from matplotlib.lines import Line2D

from . import metrics, style
from .io import MissingData, Policy, Run

SIZE = (style.DOUBLE_COLUMN, 4.2)
PANELS = ("mean_k", "latency_mean_s", "cost_usd")
# (config key, axis label, value when the configuration leaves it out)
KNOBS = (("tau", "expectile tau", 0.5), ("offset", "offset beta (steps)", 0.0))
LEARNING_KINDS = ("dsp",)


def knob_series(policies: list[Policy], knob: str, default: float) -> dict[str, list[tuple[float, str]]]:
    """Policies grouped by everything but the knob: one curve per group, sorted by knob value.

    Returns {legend text: [(knob value, label), ...]}; empty if the knob takes fewer than two
    values (nothing to draw a curve of).
    """
    groups: dict[tuple, list[tuple[float, str]]] = defaultdict(list)
    for p in policies:
        value = p.config.get(knob, default)
        if not isinstance(value, (int, float)):
            continue
        rest = tuple(sorted((k, repr(v)) for k, v in p.config.items() if k not in ("kind", "label", knob)))
        groups[rest].append((float(value), p.label))
    # A curve needs two knob values; lone points belong to another knob's curves.
    groups = {key: series for key, series in groups.items() if len({v for v, _ in series}) >= 2}
    if not groups:
        return {}
    # Name each curve by the settings that tell it apart from the others, not by all of them.
    varying = {k for key in groups for k, v in key if any(dict(other).get(k) != v for other in groups)}
    return {(", ".join(f"{k}={v}" for k, v in key if k in varying) or "dsp"): sorted(series)
            for key, series in sorted(groups.items())}


def plot_knobs(run: Run, options=None):
    """Two rows of panels (tau, beta): mean k, latency and cost against the knob."""
    policies = run.policies_of_kind(*LEARNING_KINDS)
    if not policies:
        raise MissingData(run.path, "dsp policies in table /summary")
    curves = {knob: knob_series(policies, knob, default) for knob, _, default in KNOBS}
    if not any(curves.values()):
        raise MissingData(run.path, "dsp policies with different tau or offset values in table /summary")
    fig, axes = style.new_figure(*SIZE, nrows=len(KNOBS), ncols=len(PANELS))
    for row, (knob, knob_label, _) in enumerate(KNOBS):
        series = curves[knob]
        if not series:
            for ax in axes[row]:
                ax.set_axis_off()
            style.note(axes[row, 1], f"no {knob} curve: the run's dsp policies do not vary {knob}")
            continue
        shades = style.policy_styles(list(series), ["dsp"] * len(series))
        for ax, metric in zip(axes[row], PANELS):
            for name, points in series.items():
                marker, color, linestyle = shades[name]
                xs = np.array([v for v, _ in points])
                values, errors = metrics.run_metric(run, metric, metrics.summary_rows(run, [l for _, l in points]))
                ax.errorbar(xs, values, yerr=metrics.errorbar_values(errors), fmt=marker, linestyle=linestyle, color=color,
                            markeredgecolor="black", markeredgewidth=0.4, capsize=2, markersize=4, label=name)
            if metric != "mean_k":
                metrics.draw_baseline(ax, run, metric)
            ax.set_xlabel(knob_label)
            ax.set_ylabel(metrics.label(metric))
            ax.grid(True, alpha=0.3)
        handles, _ = axes[row, 0].get_legend_handles_labels()
        if metrics.baseline(run, "latency_mean_s") is not None:
            handles.append(Line2D([], [], color="#666666", linestyle=":", linewidth=1, label="sequential"))
        axes[row, -1].legend(handles=handles, loc="upper left", bbox_to_anchor=(1.03, 1.0), frameon=False,
                             title=f"{knob} curves", title_fontsize=7)
    style.title(fig, f"{run.name}: DSP control knobs (95% CI)", options)
    return fig
