"""The catalogue of figures: name, what input it needs, and the function that draws it.

The command line iterates over this list, so adding a figure means adding one entry here.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Callable

from .concurrency import plot_concurrency
from .k_histogram import plot_k_histogram
from .k_sweep import plot_k_sweep
from .knobs import plot_knobs
from .latency_cost import plot_latency_cost
from .learner_fidelity import plot_learner_fidelity
from .learning import plot_learning_curve
from .parity import plot_parity
from .sweep import METRICS, plot_sweep_latency_cost, plot_sweep_metric
from .timeline import plot_timeline

RUN, SWEEP, FIDELITY = "run", "sweep", "fidelity"


@dataclass(frozen=True)
class Options:
    """Choices that some figures take from the command line."""

    policy: str | None = None  # timeline: policy label
    episode: int = 0  # timeline: episode number
    window: int | None = None  # learning_curve: rolling-mean window (episodes)


@dataclass(frozen=True)
class FigureSpec:
    name: str  # also the output file's stem
    source: str  # RUN (one result file), SWEEP (a sweep folder) or FIDELITY (a fidelity report)
    draw: Callable  # draw(run_or_sweep, options=Options) -> matplotlib Figure
    about: str


FIGURES: tuple[FigureSpec, ...] = (
    FigureSpec("latency_cost", RUN, plot_latency_cost, "latency vs cost of every policy, Pareto front"),
    FigureSpec("k_sweep", RUN, plot_k_sweep, "speedup, cost, unnecessary cost against fixed k; DSP at mean k"),
    FigureSpec("knobs", RUN, plot_knobs, "DSP's tau and offset curves: mean k, latency, cost"),
    FigureSpec("learning_curve", RUN, plot_learning_curve, "predictor accuracy and MAE per episode"),
    FigureSpec("k_histogram", RUN, plot_k_histogram, "share of rounds at each chosen k"),
    FigureSpec("concurrency", RUN, plot_concurrency, "per-episode mean and peak calls in flight"),
    FigureSpec("timeline", RUN, plot_timeline, "Gantt chart of one episode's calls"),
    *(FigureSpec(f"sweep_{m}", SWEEP, partial(plot_sweep_metric, metric=m), f"{m} against the first sweep axis")
      for m in METRICS),
    FigureSpec("sweep_latency_cost", SWEEP, plot_sweep_latency_cost, "latency vs cost over all runs"),
    FigureSpec("parity", FIDELITY, plot_parity, "simulated against measured latency per recorded run, held out"),
    FigureSpec("learner_fidelity", FIDELITY, plot_learner_fidelity, "DSP's learner reproduced: k chosen, accuracy over the run"),
)


def by_name(name: str) -> FigureSpec:
    for spec in FIGURES:
        if spec.name == name:
            return spec
    raise KeyError(name)
