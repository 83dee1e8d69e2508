"""Shared look and the one way figures are created and saved.

Figures are created here (fixed size, fixed dpi, constrained layout, no pyplot state) and saved
here (every requested format), so that every figure of a paper looks alike and a saved PNG has
exactly ``size_inches * DPI`` pixels, which the tests check. Sizes are a paper's columns
(single 3.5 in, double 7 in wide) at 8 pt type; PDFs embed TrueType (Type 42) fonts, as ACM's and
IEEE's camera-ready checks require, and SVGs keep text as text. A policy kind has one colour and
one marker in every figure; figures have no title unless one is asked for (``--title``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable, Sequence

import matplotlib

matplotlib.use("Agg")  # files only: never open a window, work without a display
matplotlib.rcParams.update({
    "pdf.fonttype": 42, "ps.fonttype": 42,  # TrueType, never Type 3
    "svg.fonttype": "none",
    "font.size": 8, "axes.labelsize": 8, "axes.titlesize": 8, "legend.fontsize": 7,
    "xtick.labelsize": 7, "ytick.labelsize": 7, "lines.linewidth": 1.2, "lines.markersize": 5,
    "axes.spines.top": False, "axes.spines.right": False,
})

import numpy as np  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

DPI = 300
DEFAULT_FORMATS = ("png", "pdf")
SINGLE_COLUMN = 3.5  # inches: one column of a two-column paper
DOUBLE_COLUMN = 7.0  # inches: the full text width

# Marker (and colour) per policy kind: kinds keep their look in every figure.
KIND_STYLE = {
    "sequential": ("s", "#444444"),
    "fixed_k": ("o", "#1f77b4"),
    "dsp": ("^", "#d62728"),
    "oracle": ("*", "#2ca02c"),
    "cost_aware": ("D", "#ff7f0e"),
}
OTHER_STYLES = [("D", "#9467bd"), ("P", "#8c564b"), ("X", "#e377c2"), ("v", "#17becf"), ("h", "#bcbd22")]


def kind_style(kind: str) -> tuple[str, str]:
    """(marker, colour) of a policy kind; unknown kinds get a stable style from their name."""
    if kind in KIND_STYLE:
        return KIND_STYLE[kind]
    return OTHER_STYLES[sum(map(ord, kind)) % len(OTHER_STYLES)]


def policy_styles(labels, kinds) -> dict:
    """{label: (marker, colour, linestyle)}: the kind's marker and colour, and within a kind a
    shade and a line style per policy, so that two DSP settings differ but both read as DSP."""
    from matplotlib.colors import to_rgb

    kinds = list(kinds)
    out, seen = {}, {}
    counts = {k: kinds.count(k) for k in kinds}
    styles = ("-", "--", "-.", ":")
    for label, kind in zip(labels, kinds):
        marker, color = kind_style(kind)
        j = seen.get(kind, 0)
        seen[kind] = j + 1
        shade = 1.0 - 0.7 * j / max(1, counts[kind] - 1) if counts[kind] > 1 else 1.0  # full to pale
        rgb = tuple(1 - (1 - c) * shade for c in to_rgb(color))
        out[label] = (marker, rgb, styles[j % len(styles)])
    return out


def title(target, text: str, options) -> None:
    """Sets a figure's or an axes' title only when asked for (``--title``): a paper has captions."""
    if options is None or not getattr(options, "title", False):
        return
    if hasattr(target, "suptitle"):
        target.suptitle(text)
    else:
        target.set_title(text)


def new_figure(width: float, height: float, nrows: int = 1, ncols: int = 1, **subplot_kw) -> tuple[Figure, np.ndarray]:
    """A figure of the given size (inches) and its axes as a 2-D array (rows, cols)."""
    fig = Figure(figsize=(width, height), dpi=DPI, layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False, **subplot_kw)
    return fig, axes


def note(ax, text: str) -> None:
    """Replaces an axes' content by a centred note (a panel whose data the run does not have)."""
    ax.set_axis_off()
    ax.text(0.5, 0.5, text, transform=ax.transAxes, ha="center", va="center", wrap=True,
            fontsize=10, color="#555555")


def parse_formats(text: str) -> tuple[str, ...]:
    """'png,pdf' -> ('png', 'pdf'), checked against what matplotlib can write."""
    formats = tuple(f.strip().lower().lstrip(".") for f in text.split(",") if f.strip())
    supported = Figure().canvas.get_supported_filetypes()
    bad = [f for f in formats if f not in supported]
    if not formats or bad:
        raise ValueError(f"unsupported format(s) {', '.join(bad) or '(none)'} "
                         f"(expected some of: {', '.join(sorted(supported))})")
    return formats


def save_figure(fig: Figure, out_dir: Path | str, stem: str,
                formats: Iterable[str] = DEFAULT_FORMATS) -> list[Path]:
    """Writes ``out_dir/stem.<format>`` for each format and returns the paths written.

    No ``bbox_inches="tight"``: the constrained layout already fits the labels, and a fixed
    pixel size keeps figures aligned when a paper puts them side by side.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for fmt in formats:
        path = out_dir / f"{stem}.{fmt}"
        fig.savefig(path, format=fmt, dpi=DPI)
        written.append(path)
    return written


def tick_labels(ax, labels: Sequence[str], rotation: float = 30) -> None:
    """Category labels on the x axis, rotated when long so that they do not overlap."""
    ax.set_xticks(range(len(labels)))
    long = max((len(s) for s in labels), default=0) > 8
    ax.set_xticklabels(labels, rotation=rotation if long else 0, ha="right" if long else "center")
