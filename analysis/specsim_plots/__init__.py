"""specsim_plots: the figures of a paper, drawn from specsim's result files.

Reads one run's HDF5 file or a sweep folder (docs/results.md) with h5py and draws with
matplotlib (Agg backend, no display needed). ``python3 -m specsim_plots PATH -o DIR`` writes
every figure the input allows; the functions below draw one figure each and return it.

The names are imported when first used, so that ``python3 -m specsim_plots`` can say which
module a Python lacks before anything needs it.
"""

from importlib import import_module

_HOMES = {
    "FIGURES": "figures", "Options": "figures", "BadInput": "io", "MissingData": "io", "Run": "io", "Sweep": "io",
    "Table": "io", "open_results": "io", "open_run": "io", "open_sweep": "io", "read_table": "io",
    "pareto_front": "pareto", "save_figure": "style", "plot_latency_cost": "latency_cost", "plot_k_sweep": "k_sweep",
    "plot_knobs": "knobs", "plot_learning_curve": "learning", "plot_k_histogram": "k_histogram",
    "plot_concurrency": "concurrency", "plot_timeline": "timeline", "plot_sweep_metric": "sweep",
    "plot_sweep_latency_cost": "sweep", "FleetRun": "io", "open_fleet": "io", "plot_fleet_latency": "fleet",
    "plot_fleet_cost": "fleet",
}

__all__ = sorted(_HOMES)


def __getattr__(name: str):
    if name not in _HOMES:
        raise AttributeError(f"module 'specsim_plots' has no attribute '{name}'")
    return getattr(import_module(f".{_HOMES[name]}", __name__), name)
