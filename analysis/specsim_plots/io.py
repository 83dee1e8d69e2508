"""Reading specsim results: one run's HDF5 file, a sweep folder, or a fidelity report (JSON).

Every figure reads its data through this module so that there is one place that knows the
layout of docs/results.md (fixed-length byte strings, group names derived from labels, the
sweep summary's column order) and one way to say what is missing: a :class:`MissingData`
naming the file and the table, which the command line turns into exit code 2.
"""

from __future__ import annotations

import csv
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

import h5py
import numpy as np
import yaml


class BadInput(Exception):
    """The input cannot be used at all (not a result file, unknown policy label, ...)."""


class MissingData(Exception):
    """A figure needs a table (or rows of one) that the input does not have.

    ``what`` reads as the object of "missing", e.g. ``table /policies/dsp/learning``; the
    figure's name is added by whoever knows which figure was being drawn.
    """

    def __init__(self, path: Path | str, what: str):
        super().__init__(f"{path}: missing {what}")
        self.path = str(path)
        self.what = what

    def message(self, figure: str) -> str:
        """The one-line error of the command line: ``PATH: missing X (needed for figure Y)``."""
        return f"{self.path}: missing {self.what} (needed for figure {figure})"


class Table:
    """A table as named numpy columns, strings already decoded.

    HDF5 compound datasets and CSV files both end up in this shape, so figures need not care
    where a table came from (and no pandas is needed).
    """

    def __init__(self, columns: dict[str, np.ndarray]):
        self.columns = dict(columns)
        lengths = {len(v) for v in self.columns.values()}
        if len(lengths) > 1:
            raise ValueError(f"columns of different lengths: {sorted(lengths)}")
        self._length = lengths.pop() if lengths else 0

    @classmethod
    def from_records(cls, records: np.ndarray) -> "Table":
        """Splits a structured array into columns, decoding fixed-length byte strings."""
        columns = {}
        for name in records.dtype.names or ():
            column = records[name]
            if column.dtype.kind in "SO":
                column = np.array([_text(v) for v in column], dtype=object)
            columns[name] = column
        return cls(columns)

    @property
    def names(self) -> list[str]:
        return list(self.columns)

    def __len__(self) -> int:
        return self._length

    def __contains__(self, name: str) -> bool:
        return name in self.columns

    def __getitem__(self, name: str) -> np.ndarray:
        return self.columns[name]

    def get(self, name: str, default: Any = None) -> Any:
        return self.columns.get(name, default)

    def select(self, mask: np.ndarray | Iterable[int]) -> "Table":
        """The rows picked by a boolean mask or an index array, in that order."""
        mask = np.asarray(mask)
        return Table({k: v[mask] for k, v in self.columns.items()})

    def row(self, i: int) -> dict[str, Any]:
        return {k: v[i] for k, v in self.columns.items()}


def _text(value: Any) -> str:
    """Decodes an HDF5 string (fixed-length bytes, NUL-terminated) or passes a str through."""
    if isinstance(value, (bytes, np.bytes_)):
        return bytes(value).split(b"\0", 1)[0].decode("utf-8", errors="replace")
    if isinstance(value, np.ndarray) and value.shape == ():
        return _text(value[()])
    return str(value)


def read_table(path: Path | str, dataset: str) -> Table:
    """Reads one compound dataset of an HDF5 file, or raises MissingData naming it."""
    dataset = "/" + dataset.lstrip("/")
    try:
        with h5py.File(path, "r") as f:
            node = f.get(dataset)
            if not isinstance(node, h5py.Dataset) or node.dtype.names is None:
                raise MissingData(path, f"table {dataset}")
            return Table.from_records(node[()])
    except OSError as e:
        raise BadInput(f"{path}: cannot read as HDF5 ({e})") from e


def read_csv(path: Path | str) -> Table:
    """Reads a CSV with a header row; columns whose every cell is a number become floats."""
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    if not rows:
        raise BadInput(f"{path}: empty CSV file (expected a header row)")
    header, body = rows[0], rows[1:]
    columns = {}
    for i, name in enumerate(header):
        cells = [r[i] if i < len(r) else "" for r in body]
        numbers = _numbers(cells)
        columns[name] = numbers if numbers is not None else np.array(cells, dtype=object)
    return Table(columns)


def _numbers(cells: Iterable[Any]) -> np.ndarray | None:
    """The cells as floats (empty cells as NaN), or None if any cell is not a number."""
    out = []
    for c in cells:
        if isinstance(c, (int, float, np.integer, np.floating)):
            out.append(float(c))
            continue
        s = str(c).strip()
        if s == "":
            out.append(math.nan)
            continue
        try:
            out.append(float(s))
        except ValueError:
            return None
    return np.array(out, dtype=float)


def numeric(column: np.ndarray) -> np.ndarray | None:
    """A column as floats if every value is a number (sweep axes may be stored as text)."""
    if column.dtype.kind in "biuf":
        return column.astype(float)
    values = _numbers(column)
    if values is None or np.all(np.isnan(values)):
        return None
    return values


def parse_config(text: str) -> dict[str, Any]:
    """A policy's YAML (flow style, e.g. ``{kind: dsp, tau: 0.7}``) as a dict; {} if unusable."""
    try:
        value = yaml.safe_load(text) if text else None
    except yaml.YAMLError:
        return {}
    if isinstance(value, str):  # a bare kind, as in the scenario's "- sequential"
        return {"kind": value}
    return value if isinstance(value, dict) else {}


@dataclass(frozen=True)
class Policy:
    """One policy of a run: the attributes of its group under /policies."""

    label: str
    kind: str
    config: dict[str, Any]
    group: str  # the HDF5 group name (a '/' in the label becomes '_')
    index: int


@dataclass
class Run:
    """One run's result file: provenance attributes and its policies (tables read on demand)."""

    path: Path
    attrs: dict[str, str]
    policies: list[Policy]
    _summary: Table | None = field(default=None, repr=False)

    @property
    def name(self) -> str:
        return self.attrs.get("scenario_name", self.path.stem)

    @property
    def summary(self) -> Table:
        """/summary: one row per policy (raises MissingData if the file has none)."""
        if self._summary is None:
            self._summary = read_table(self.path, "summary")
        return self._summary

    def policy(self, label: str) -> Policy:
        for p in self.policies:
            if p.label == label:
                return p
        known = ", ".join(p.label for p in self.policies) or "none"
        raise BadInput(f"{self.path}: no policy labelled '{label}' (policies: {known})")

    def table(self, label: str, name: str) -> Table:
        """/policies/<group>/<name> of the policy with this label."""
        return read_table(self.path, f"policies/{self.policy(label).group}/{name}")

    def has_table(self, label: str, name: str) -> bool:
        try:
            group = self.policy(label).group
        except BadInput:
            return False
        with h5py.File(self.path, "r") as f:
            return isinstance(f.get(f"policies/{group}/{name}"), h5py.Dataset)

    def policies_of_kind(self, *kinds: str) -> list[Policy]:
        return [p for p in self.policies if p.kind in kinds]


def open_run(path: Path | str) -> Run:
    """Opens a run's HDF5 file: reads its attributes and the list of policies."""
    path = Path(path)
    try:
        with h5py.File(path, "r") as f:
            attrs = {k: _text(v) for k, v in f.attrs.items()}
            policies = []
            group = f.get("policies")
            if isinstance(group, h5py.Group):
                for name, g in group.items():
                    if not isinstance(g, h5py.Group):
                        continue
                    a = g.attrs
                    label = _text(a["label"]) if "label" in a else name
                    config = parse_config(_text(a["config"])) if "config" in a else {}
                    kind = _text(a["kind"]) if "kind" in a else str(config.get("kind", ""))
                    index = int(a["index"]) if "index" in a else len(policies)
                    policies.append(Policy(label, kind, config, name, index))
    except OSError as e:
        raise BadInput(f"{path}: not a readable HDF5 result file ({e})") from e
    policies.sort(key=lambda p: p.index)
    return Run(path, attrs, policies)


SWEEP_FIXED_COLUMNS = ("run_id", "seed")


@dataclass
class Sweep:
    """A sweep folder: summary.h5 (or summary.csv) with one row per (run, policy), and runs/."""

    path: Path
    summary: Table
    axes: list[str]  # the sweep's axis columns, named by scenario path, in file order
    # The axes whose values are alternatives to choose from (the rest are world conditions).
    decisions: frozenset[str] = frozenset()

    def run_path(self, run_id: str) -> Path:
        return self.path / "runs" / f"{run_id}.h5"


def decision_by_default(axis: str) -> bool:
    """The policies' fields and the agents' models are decisions (tools/runner/sweep.hpp)."""
    return axis.startswith("policies") or axis in ("agents.approx.model", "agents.target.model")


def sweep_decisions(path: Path, axes: list[str]) -> frozenset[str]:
    """The decision axes as sweep.json states them (``decision``), by default by their path."""
    stated: dict[str, bool] = {}
    try:
        manifest = json.loads((path / "sweep.json").read_text())
        for a in manifest.get("axes", []):
            if isinstance(a, dict) and isinstance(a.get("path"), str) and isinstance(a.get("decision"), bool):
                stated[a["path"]] = a["decision"]
    except (OSError, ValueError, AttributeError):
        pass
    return frozenset(a for a in axes if stated.get(a, decision_by_default(a)))


def sweep_axes(names: list[str]) -> list[str]:
    """The axis columns: those between ``seed`` and ``name`` (the documented column order)."""
    start = names.index("seed") + 1 if "seed" in names else (1 if "run_id" in names else 0)
    end = names.index("name") if "name" in names else len(names)
    return [n for n in names[start:end] if n not in SWEEP_FIXED_COLUMNS]


def open_sweep(path: Path | str) -> Sweep:
    """Opens a sweep folder, preferring summary.h5 (typed) over summary.csv."""
    path = Path(path)
    h5, csv_path = path / "summary.h5", path / "summary.csv"
    if h5.is_file():
        table = read_table(h5, "summary")
    elif csv_path.is_file():
        table = read_csv(csv_path)
    else:
        raise MissingData(path, "table summary.h5 or summary.csv")
    axes = sweep_axes(table.names)
    return Sweep(path, table, axes, sweep_decisions(path, axes))


@dataclass
class Fidelity:
    """The JSON of ``specsim trace fidelity --json``: per run, measured and simulated per mode."""

    path: Path
    modes: list[dict[str, Any]]
    runs: list[dict[str, Any]]
    noise_floor_percent: float | None = None
    learner: list[dict[str, Any]] = field(default_factory=list)  # DSP's learner reproduced, one row per setting


def open_fidelity(path: Path | str) -> Fidelity:
    path = Path(path)
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise BadInput(f"{path}: not a fidelity report ({e})")
    if not isinstance(doc, dict) or doc.get("kind") != "specsim-fidelity":
        raise BadInput(f"{path}: not a fidelity report (kind specsim-fidelity)")
    return Fidelity(path, doc.get("modes") or [], doc.get("runs") or [], doc.get("noise_floor_percent"),
                    doc.get("learner") or [])


@dataclass
class FleetRun:
    """A fleet run's HDF5 file (``specsim fleet -o``): tables fleet, fleet_limits, fleet_tasks, fleet_break_even."""

    path: Path
    attrs: dict[str, str]

    @property
    def name(self) -> str:
        return self.attrs.get("scenario_name", self.path.stem)


def _is_fleet(path: Path) -> bool:
    try:
        with h5py.File(path, "r") as f:
            return isinstance(f.get("fleet"), h5py.Dataset)
    except OSError:
        return False  # open_run says why it cannot be read


def open_fleet(path: Path | str) -> FleetRun:
    path = Path(path)
    with h5py.File(path, "r") as f:
        return FleetRun(path, {k: _text(v) for k, v in f.attrs.items()})


def open_results(path: Path | str) -> Run | Sweep | Fidelity | FleetRun:
    """A directory is a sweep folder; a .json file a fidelity report; an HDF5 file with a fleet
    table a fleet run; any other file one run's HDF5."""
    path = Path(path)
    if path.is_dir():
        return open_sweep(path)
    if path.is_file() and path.suffix == ".json":
        return open_fidelity(path)
    if path.is_file() and _is_fleet(path):
        return open_fleet(path)
    if path.is_file():
        return open_run(path)
    raise BadInput(f"{path}: no such file or directory")
