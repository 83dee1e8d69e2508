"""load(PATH): any specsim result as a Results of pandas DataFrames (see the package's docstring)."""

from __future__ import annotations

import json
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd

from specsim_plots import io

PER_POLICY_TABLES = ("episodes", "rounds", "calls", "learning", "k_histogram")


def _frame(table: io.Table) -> pd.DataFrame:
    return pd.DataFrame({name: table[name] for name in table.names})


def _value(text: str) -> Any:
    """An attribute as a number when it is one (seed, episodes, axis values), else as the string."""
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


class Results:
    """One result (``kind``: run, summary, sweep or fidelity) and its tables, read when first used."""

    def __init__(self, path: Path, kind: str):
        self.path = path
        self.kind = kind

    def __repr__(self) -> str:
        return f"specsim.Results({str(self.path)!r}, kind={self.kind!r})"

    @cached_property
    def _run(self) -> io.Run:
        return io.open_run(self.path)

    @cached_property
    def attrs(self) -> dict[str, Any]:
        """The run's provenance (scenario text, seed, episodes, versions); numbers as numbers."""
        if self.kind != "run":
            return {}
        return {k: _value(v) for k, v in self._run.attrs.items()}

    @cached_property
    def summary(self) -> pd.DataFrame:
        if self.kind == "run":
            return _frame(self._run.summary)
        if self.kind == "sweep":
            sweep = io.open_sweep(self.path)
            frame = _frame(sweep.summary)
            for axis in sweep.axes:  # text axes stay text; numeric ones become numbers
                values = io.numeric(sweep.summary[axis])
                if values is not None:
                    frame[axis] = values
            return frame
        doc = json.loads(self.path.read_text(encoding="utf-8"))
        if self.kind == "fidelity":
            return pd.json_normalize(doc.get("runs") or [])
        rows = [{k: v for k, v in p.items() if k != "learner"} for p in doc.get("policies") or []]
        return pd.DataFrame(rows)

    def _long(self, name: str) -> pd.DataFrame:
        if self.kind != "run":
            raise io.MissingData(self.path, f"table {name} (only a run's .h5 has per-policy tables)")
        frames = []
        for p in self._run.policies:
            if not self._run.has_table(p.label, name):
                continue
            frame = _frame(self._run.table(p.label, name))
            frame.insert(0, "policy", p.label)
            frame.insert(1, "kind", p.kind)
            frames.append(frame)
        if not frames:
            raise io.MissingData(self.path, f"table {name} of any policy")
        return pd.concat(frames, ignore_index=True)

    @cached_property
    def episodes(self) -> pd.DataFrame:
        return self._long("episodes")

    @cached_property
    def rounds(self) -> pd.DataFrame:
        return self._long("rounds")

    @cached_property
    def calls(self) -> pd.DataFrame:
        return self._long("calls")

    @cached_property
    def learning(self) -> pd.DataFrame:
        return self._long("learning")

    @cached_property
    def k_histogram(self) -> pd.DataFrame:
        return self._long("k_histogram")


def load(path: str | Path) -> Results:
    """A run's .h5 or .json, a sweep folder, or a fidelity report (.json)."""
    path = Path(path)
    if path.is_dir():
        return Results(path, "sweep")
    if not path.is_file():
        raise io.BadInput(f"{path}: no such file or folder")
    if path.suffix == ".json":
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except ValueError as e:
            raise io.BadInput(f"{path}: not JSON ({e})") from e
        if isinstance(doc, dict) and doc.get("kind") == "specsim-fidelity":
            return Results(path, "fidelity")
        if isinstance(doc, dict) and isinstance(doc.get("policies"), list):
            return Results(path, "summary")
        raise io.BadInput(f"{path}: neither a run's JSON summary nor a fidelity report")
    return Results(path, "run")
