"""The catalogue of figures: name, what input it needs, and the function that draws it.

The command line iterates over this list, so adding a figure means adding one entry here.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Callable

from .concurrency import plot_concurrency
from .fleet import plot_fleet_cost, plot_fleet_latency
from .decision import plot_cost_breakdown, plot_cost_per_second_saved, plot_latency_cdf, plot_speedup_distribution
from .k_histogram import plot_k_histogram
from .k_sweep import plot_k_sweep
from .knobs import plot_knobs
from .latency_cost import plot_latency_cost
from .learner_fidelity import plot_learner_fidelity
from .learning import plot_learning_curve
from .parity import plot_parity
from .sweep import METRICS, plot_best_setting, plot_sweep_latency_cost, plot_sweep_metric
from .timeline import plot_timeline

RUN, SWEEP, FIDELITY, FLEET = "run", "sweep", "fidelity", "fleet"


@dataclass(frozen=True)
class Options:
    """Choices that some figures take from the command line."""

    policy: str | None = None  # timeline: policy label
    episode: int = 0  # timeline: episode number
    window: int | None = None  # learning_curve: rolling-mean window (episodes)
    title: bool = False  # draw titles (a paper's figures have captions instead)


@dataclass(frozen=True)
class FigureSpec:
    name: str  # also the output file's stem
    source: str  # RUN (one result file), SWEEP (a sweep folder), FIDELITY (a fidelity report) or FLEET (a fleet run)
    draw: Callable  # draw(run_or_sweep, options=Options) -> matplotlib Figure
    about: str


FIGURES: tuple[FigureSpec, ...] = (
    FigureSpec("latency_cost", RUN, plot_latency_cost, "latency vs cost of every policy, Pareto front"),
    FigureSpec("latency_cdf", RUN, plot_latency_cdf, "share of episodes within each latency, p50/p95/p99 marked"),
    FigureSpec("cost_breakdown", RUN, plot_cost_breakdown, "cost per episode: committed path, speculation, unnecessary"),
    FigureSpec("cost_per_second_saved", RUN, plot_cost_per_second_saved,
               "dollars added per second saved against fixed k and DSP's tau"),
    FigureSpec("speedup_distribution", RUN, plot_speedup_distribution, "per-episode speedup over sequential"),
    FigureSpec("k_sweep", RUN, plot_k_sweep, "speedup, cost, unnecessary cost against fixed k; DSP at mean k"),
    FigureSpec("knobs", RUN, plot_knobs, "DSP's tau and offset curves: mean k, latency, cost"),
    FigureSpec("learning_curve", RUN, plot_learning_curve, "predictor accuracy and MAE per episode"),
    FigureSpec("k_histogram", RUN, plot_k_histogram, "share of rounds at each chosen k"),
    FigureSpec("concurrency", RUN, plot_concurrency, "per-episode mean and peak calls in flight"),
    FigureSpec("timeline", RUN, plot_timeline, "Gantt chart of one episode's calls"),
    FigureSpec("fleet_latency_load", FLEET, plot_fleet_latency,
               "fleet: p95/p50 task latency against load per policy, where speculation stops paying"),
    FigureSpec("fleet_cost_load", FLEET, plot_fleet_cost, "fleet: cost per task against load per policy"),
    *(FigureSpec(f"sweep_{m}", SWEEP, partial(plot_sweep_metric, metric=m), f"{m} against the first sweep axis, a panel per policy kind")
      for m in METRICS),
    FigureSpec("sweep_best_setting", SWEEP, plot_best_setting,
               "two-axis product sweeps: net value (or $ per second saved) per cell, best per column"),
    FigureSpec("sweep_latency_cost", SWEEP, plot_sweep_latency_cost, "latency vs cost over all runs"),
    FigureSpec("parity", FIDELITY, plot_parity, "simulated against measured latency per recorded run, held out"),
    FigureSpec("learner_fidelity", FIDELITY, plot_learner_fidelity, "DSP's learner reproduced: k chosen, accuracy over the run"),
)


def by_name(name: str) -> FigureSpec:
    for spec in FIGURES:
        if spec.name == name:
            return spec
    raise KeyError(name)
