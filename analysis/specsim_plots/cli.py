"""The command line: ``python3 -m specsim_plots PATH -o DIR [--formats png,pdf,svg] [--only NAMES]``
(and ``--list``: the figures, what each needs and shows).

``specsim plot`` runs this, so its contract is an interface: one line per file written on
stdout, a note on stderr per figure skipped for lack of data, exit 0 on success, exit 2 with a
one-line ``PATH: missing X (needed for figure Y)`` message on bad input (a requested figure
whose data are absent, or an input from which no figure at all can be made).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import style
from .figures import FIDELITY, FIGURES, FLEET, RUN, SWEEP, Options, by_name
from .io import BadInput, Fidelity, FleetRun, MissingData, Run, open_results

EXIT_OK, EXIT_BAD_INPUT = 0, 2


class UsageError(Exception):
    pass


def parser() -> argparse.ArgumentParser:
    names = ", ".join(f.name for f in FIGURES)
    p = argparse.ArgumentParser(
        prog="specsim plot",
        description="Figures from specsim results: PATH is one run's HDF5 file, a fleet run's, a sweep folder or a fidelity report.",
        epilog=f"figures: {names} (--list says what each shows)")
    p.add_argument("path", metavar="PATH", nargs="?",
                   help="a run's result file (.h5), a sweep folder or a fidelity report (.json)")
    p.add_argument("-o", "--output", metavar="DIR", help="folder for the figures (created)")
    p.add_argument("--title", action="store_true", help="give every figure a title (default: none, as in a paper)")
    p.add_argument("--list", action="store_true", help="list the figures, what each needs and shows, and exit")
    p.add_argument("--formats", default=",".join(style.DEFAULT_FORMATS),
                   help="comma-separated file formats (default: %(default)s)")
    p.add_argument("--only", metavar="NAMES", help="comma-separated figures to make; a missing table is an error")
    p.add_argument("--policy", metavar="LABEL", help="timeline: the policy to draw (default: largest fixed k)")
    p.add_argument("--episode", metavar="N", type=int, default=0, help="timeline: the episode (default: 0)")
    p.add_argument("--window", metavar="N", type=int,
                   help="learning_curve: rolling-mean window in episodes (default: about 5%% of the run)")
    return p


def selected(only: str | None, source: str, path: str):
    """The figures to attempt: all of the input's kind, or the requested ones (checked)."""
    if not only:
        return [f for f in FIGURES if f.source == source], False
    specs = []
    for name in (n.strip() for n in only.split(",") if n.strip()):
        try:
            spec = by_name(name)
        except KeyError:
            raise UsageError(f"unknown figure '{name}' (expected one of: {', '.join(f.name for f in FIGURES)})")
        if spec.source != source:
            what = {RUN: "a run's result file", SWEEP: "a sweep folder", FIDELITY: "a fidelity report (.json)",
                    FLEET: "a fleet run's file (specsim fleet -o)"}[spec.source]
            raise UsageError(f"{path}: figure {name} needs {what}")
        specs.append(spec)
    return specs, True


def listing() -> str:
    """One line per figure: name, the input it needs, what it shows."""
    width = max(len(f.name) for f in FIGURES)
    needs = {RUN: "run", SWEEP: "sweep", FIDELITY: "fidelity", FLEET: "fleet"}
    return "\n".join(f"{f.name:<{width}}  {needs[f.source]:<8}  {f.about}" for f in FIGURES)


def run(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.list:
        print(listing())
        return EXIT_OK
    try:
        if not args.path or not args.output:
            raise UsageError("specsim plot needs PATH and -o DIR (or --list)")
        try:
            formats = style.parse_formats(args.formats)
        except ValueError as e:
            raise UsageError(f"--formats: {e}")
        if args.episode < 0 or (args.window is not None and args.window < 1):
            raise UsageError("--episode must be >= 0 and --window >= 1")
        results = open_results(args.path)
        kinds = ((Run, RUN), (Fidelity, FIDELITY), (FleetRun, FLEET))
        source = next((k for cls, k in kinds if isinstance(results, cls)), SWEEP)
        specs, strict = selected(args.only, source, args.path)
        if args.policy and source == RUN:
            results.policy(args.policy)  # an unknown label fails now, whichever figures run
        options = Options(policy=args.policy, episode=args.episode, window=args.window, title=args.title)
        written, skipped = 0, []
        for spec in specs:
            try:
                fig = spec.draw(results, options=options)
            except MissingData as e:
                if strict:
                    raise UsageError(e.message(spec.name))
                skipped.append(e.message(spec.name))
                continue
            for path in style.save_figure(fig, args.output, spec.name, formats):
                print(path, flush=True)
                written += 1
        if written == 0 and skipped:
            raise UsageError(skipped[0])
        for message in skipped:
            print(f"note: skipped: {message}", file=sys.stderr)
        return EXIT_OK
    except (UsageError, BadInput) as e:
        print(str(e).splitlines()[0] if str(e) else type(e).__name__, file=sys.stderr)
        return EXIT_BAD_INPUT
    except MissingData as e:  # e.g. a sweep folder without its summary
        print(str(e), file=sys.stderr)
        return EXIT_BAD_INPUT


def main() -> None:
    sys.exit(run())
