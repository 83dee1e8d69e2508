"""specsim's results as pandas tables, in one line.

    import specsim
    r = specsim.load("out/quickstart.h5")   # a run's result file
    r.summary                               # one row per policy
    r.episodes                              # one row per policy and episode: a `policy` column
    r.rounds, r.calls, r.learning, r.k_histogram   # likewise, long tables
    specsim.load("out/quickstart.json").summary    # a run's JSON summary
    specsim.load("out/knobs").summary       # a sweep folder: one row per run and policy, axes as columns
    specsim.load("fidelity.json").summary   # a fidelity report: one row per recorded run and mode

Strings are str, numbers are numbers (attributes too); the column names are those of
docs/results.md. The layout is read through specsim_plots.io, the one place that knows it.
"""

from .results import Results, load

__all__ = ["Results", "load"]
