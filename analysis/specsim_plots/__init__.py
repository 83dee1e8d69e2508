"""specsim_plots: the figures of a paper, drawn from specsim's result files.

Reads one run's HDF5 file or a sweep folder (docs/results.md) with h5py and draws with
matplotlib (Agg backend, no display needed). ``python3 -m specsim_plots PATH -o DIR`` writes
every figure the input allows; the functions below draw one figure each and return it.
"""

from . import style  # noqa: F401  (selects the Agg backend before anything draws)
from .concurrency import plot_concurrency
from .figures import FIGURES, Options
from .io import BadInput, MissingData, Run, Sweep, Table, open_results, open_run, open_sweep, read_table
from .k_histogram import plot_k_histogram
from .k_sweep import plot_k_sweep
from .knobs import plot_knobs
from .latency_cost import plot_latency_cost
from .learning import plot_learning_curve
from .pareto import pareto_front
from .style import save_figure
from .sweep import plot_sweep_latency_cost, plot_sweep_metric
from .timeline import plot_timeline

__all__ = [
    "FIGURES", "Options", "BadInput", "MissingData", "Run", "Sweep", "Table", "open_results", "open_run",
    "open_sweep", "read_table", "pareto_front", "save_figure", "plot_latency_cost", "plot_k_sweep", "plot_knobs",
    "plot_learning_curve", "plot_k_histogram", "plot_concurrency", "plot_timeline", "plot_sweep_metric",
    "plot_sweep_latency_cost",
]
