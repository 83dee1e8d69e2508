"""Tests of the plotting layer (analysis/specsim_plots): figures, the Pareto front, the CLI.

Run with ``ctest -R plots`` or
``PYTHONPATH=analysis /usr/bin/python3 -m unittest discover -s tests/analysis -v``. Figures are
checked by reading the PNG back: it must have the figure's size times the dpi, and not be one
colour. The end-to-end test runs the real binary ($SPECSIM_BINARY) and is skipped without it.
"""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCE_DIR = Path(os.environ.get("SPECSIM_SOURCE_DIR", HERE.parent.parent))
ANALYSIS_DIR = SOURCE_DIR / "analysis"
if str(ANALYSIS_DIR) not in sys.path:
    sys.path.insert(0, str(ANALYSIS_DIR))
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

import matplotlib.image  # noqa: E402
import numpy as np  # noqa: E402

import specsim_plots as sp  # noqa: E402
import synthetic_results as synthetic  # noqa: E402
from specsim_plots import cli, metrics, style  # noqa: E402
from specsim_plots.learning import rolling_mean  # noqa: E402
from specsim_plots.pareto import front_steps  # noqa: E402
from specsim_plots.sweep import aggregate, policy_lines  # noqa: E402

MIN_PIXEL_STD = 0.02  # a blank (one-colour) image has 0; a real figure is far above this


def run_cli(*args: str) -> tuple[int, str, str]:
    """Runs the command line in-process: (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.run([str(a) for a in args])
    return code, out.getvalue(), err.getvalue()


class FigureAssertions(unittest.TestCase):
    """Saves a figure as PNG and PDF and checks what was written."""

    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory(prefix="specsim-plots-")
        self.tmp = Path(self._tmp.name)

    def tearDown(self):
        self._tmp.cleanup()

    def assert_figure(self, fig, stem: str) -> np.ndarray:
        width, height = fig.get_size_inches()
        paths = style.save_figure(fig, self.tmp / "out", stem, ("png", "pdf"))
        self.assertEqual([p.name for p in paths], [f"{stem}.png", f"{stem}.pdf"])
        image = matplotlib.image.imread(paths[0])
        self.assertEqual(image.shape[:2], (round(height * style.DPI), round(width * style.DPI)),
                         f"{stem}: PNG size is not the figure size times dpi")
        self.assertGreater(float(image[..., :3].std()), MIN_PIXEL_STD, f"{stem}: image is (nearly) one colour")
        pdf = paths[1].read_bytes()
        self.assertEqual(pdf[:5], b"%PDF-", f"{stem}: not a PDF")
        # Camera-ready checks (ACM, IEEE) reject Type 3 fonts: every figure embeds TrueType.
        self.assertFalse(b"/Type3" in pdf, f"{stem}: the PDF embeds a Type 3 font")
        self.assertTrue(b"/TrueType" in pdf or b"/CIDFontType2" in pdf, f"{stem}: the PDF embeds no TrueType font")
        return image


class ParetoFrontTest(unittest.TestCase):
    def test_hand_made_points(self):
        # index:      0    1    2    3    4    5    6
        cost = [1.0, 2.0, 3.0, 2.5, 4.0, 1.5, 5.0]
        latency = [10.0, 8.0, 5.0, 9.0, 5.0, 12.0, 4.0]
        # 3 is dominated by 1 (cheaper and faster), 4 by 2 (same latency, cheaper), 5 by 0.
        self.assertEqual(sp.pareto_front(cost, latency).tolist(), [0, 1, 2, 6])

    def test_ties_and_duplicates(self):
        cost = [1.0, 1.0, 2.0, 2.0, 1.0]
        latency = [5.0, 6.0, 3.0, 3.0, 5.0]
        # same cost, slower: dominated (1); identical points stay together (0 and 4, 2 and 3).
        self.assertEqual(sp.pareto_front(cost, latency).tolist(), [0, 4, 2, 3])

    def test_nan_points_are_ignored(self):
        self.assertEqual(sp.pareto_front([np.nan, 1.0, 2.0], [0.0, 3.0, 1.0]).tolist(), [1, 2])
        self.assertEqual(sp.pareto_front([], []).tolist(), [])

    def test_front_steps_extends_the_last_level(self):
        fx, fy = front_steps([1, 2, 3], [3, 2, 1], np.array([0, 1, 2]), x_end=4.0)
        self.assertEqual(fx.tolist(), [1, 2, 3, 4])
        self.assertEqual(fy.tolist(), [3, 2, 1, 1])


class HelpersTest(unittest.TestCase):
    def test_ci_column_follows_the_summary_naming(self):
        self.assertEqual(metrics.ci_column("latency_mean_s"), "latency_ci95_s")
        self.assertEqual(metrics.ci_column("cost_usd"), "cost_ci95_usd")
        self.assertEqual(metrics.ci_column("speedup"), "speedup_ci95")
        self.assertEqual(metrics.ci_column("cost_ratio"), "cost_ratio_ci95")
        fields = synthetic.SUMMARY_DTYPE.names
        for metric in ("latency_mean_s", "cost_usd", "speedup", "cost_ratio"):
            self.assertIn(metrics.ci_column(metric), fields)

    def test_rolling_mean_is_trailing_weighted_and_skips_nan(self):
        values = [1.0, np.nan, 3.0, 5.0]
        np.testing.assert_allclose(rolling_mean(values, 2), [1.0, 1.0, 3.0, 4.0])
        np.testing.assert_allclose(rolling_mean(values, 3, weights=[1, 1, 1, 3]), [1.0, 1.0, 2.0, 4.5])
        self.assertTrue(np.isnan(rolling_mean([np.nan, 2.0], 1)[0]))

    def test_replicates_average_with_half_width_of_the_mean(self):
        x, v, e = aggregate(np.array([1.0, 1.0, 2.0]), np.array([2.0, 4.0, 5.0]), np.array([0.3, 0.4, 0.1]))
        np.testing.assert_allclose(x, [1.0, 2.0])
        np.testing.assert_allclose(v, [3.0, 5.0])
        np.testing.assert_allclose(e, [0.25, 0.1])

    def test_strings_are_decoded(self):
        with tempfile.TemporaryDirectory() as tmp:
            run = sp.open_run(synthetic.write_run(Path(tmp) / "r.h5"))
            self.assertEqual(run.name, "synthetic")
            self.assertIn("dsp(tau=0.5)", list(run.summary["label"]))
            dsp = run.policy("dsp(tau=0.5)")
            self.assertEqual((dsp.kind, dsp.group, dsp.config["tau"], dsp.config["offset"]),
                             ("dsp", "dsp(tau=0.5)", 0.5, 0))


class RunFiguresTest(FigureAssertions):
    """Every run figure on a hand-made file that has all tables (DSP ones included)."""

    def setUp(self):
        super().setUp()
        self.run = sp.open_run(synthetic.write_run(self.tmp / "synthetic.h5"))

    def test_latency_cost(self):
        self.assert_figure(sp.plot_latency_cost(self.run), "latency_cost")

    def test_front_leaves_the_oracle_out(self):
        from specsim_plots.latency_cost import draw_plane

        fig, axes = style.new_figure(style.DOUBLE_COLUMN, 3)
        # The oracle (index 2) dominates both others but is not runnable: the front is 0 and 1.
        front = draw_plane(axes[0, 0], [1.0, 2.0, 0.5], [None] * 3, [10.0, 5.0, 1.0], [None] * 3,
                           ["sequential", "fixed_k", "oracle"], ["a", "b", "c"])
        self.assertEqual(front.tolist(), [0, 1])

    def test_decision_figures(self):
        for name in ("latency_cdf", "cost_breakdown", "cost_per_second_saved", "speedup_distribution"):
            with self.subTest(name):
                self.assert_figure(sp.figures.by_name(name).draw(self.run), name)

    def test_policy_styles_keep_the_kind(self):
        styles = style.policy_styles(["a", "b", "c"], ["dsp", "dsp", "fixed_k"])
        self.assertEqual([s[0] for s in styles.values()], ["^", "^", "o"])
        self.assertEqual(styles["a"][2], "-")
        self.assertEqual(styles["b"][2], "--")
        self.assertNotEqual(styles["a"][1], styles["b"][1])

    def test_k_sweep(self):
        self.assert_figure(sp.plot_k_sweep(self.run), "k_sweep")

    def test_knobs(self):
        self.assert_figure(sp.plot_knobs(self.run), "knobs")

    def test_learning_curve(self):
        self.assert_figure(sp.plot_learning_curve(self.run, sp.Options(window=10)), "learning_curve")

    def test_k_histogram(self):
        self.assert_figure(sp.plot_k_histogram(self.run), "k_histogram")

    def test_concurrency(self):
        self.assert_figure(sp.plot_concurrency(self.run), "concurrency")

    def test_timeline_default_and_chosen(self):
        self.assert_figure(sp.plot_timeline(self.run), "timeline")
        self.assert_figure(sp.plot_timeline(self.run, sp.Options(policy="sequential", episode=1)), "timeline_seq")

    def test_timeline_of_an_unrecorded_episode_names_the_table(self):
        with self.assertRaises(sp.MissingData) as e:
            sp.plot_timeline(self.run, sp.Options(policy="fixed_k(k=2)", episode=50))
        self.assertIn("episode 50 in table /policies/fixed_k(k=2)/calls", str(e.exception))

    def test_knobs_with_one_knob_draws_a_note(self):
        only_tau = [p for p in synthetic.POLICIES if "offset=" not in p[0]]
        run = sp.open_run(synthetic.write_run(self.tmp / "tau.h5", policies=only_tau))
        fig = sp.plot_knobs(run)
        self.assert_figure(fig, "knobs_tau_only")
        texts = [t.get_text() for ax in fig.axes for t in ax.texts]
        self.assertTrue(any("do not vary offset" in t for t in texts), texts)

    def test_missing_learning_table_is_named(self):
        run = sp.open_run(synthetic.write_run(self.tmp / "nolearn.h5", learning=False))
        with self.assertRaises(sp.MissingData) as e:
            sp.plot_learning_curve(run)
        self.assertIn("table /policies/dsp(tau=0.3)/learning", str(e.exception))


class SweepFiguresTest(FigureAssertions):
    def test_sweep_from_h5_and_csv(self):
        for csv_only in (False, True):
            with self.subTest(csv_only=csv_only):
                sweep = sp.open_sweep(synthetic.write_sweep(self.tmp / f"sweep{csv_only}", csv_only=csv_only))
                self.assertEqual(sweep.axes, ["workload.match.p", "agents.approx.model"])
                self.assertEqual(sorted(policy_lines(sweep)), ["dsp(tau=0.5)", "fixed_k(k=2)", "sequential"])
                self.assert_figure(sp.plot_sweep_metric(sweep, "speedup"), "sweep_speedup")
                self.assert_figure(sp.plot_sweep_latency_cost(sweep), "sweep_latency_cost")

    def test_axis_names_in_words(self):
        from specsim_plots.sweep import axis_label

        sweep = sp.open_sweep(synthetic.write_sweep(self.tmp / "sweep"))
        self.assertEqual(axis_label(sweep, "workload.match.p"), "match probability p")
        self.assertEqual(axis_label(sweep, "agents.approx.model"), "approximation model")
        self.assertEqual(axis_label(sweep, "agents.target.input_tokens.base"), "agents target input tokens base")

    def test_decision_axes_and_zipped_models(self):
        from specsim_plots.sweep import sweep_x_axis

        # By default the agents' models are decisions and the match model a world condition.
        sweep = sp.open_sweep(synthetic.write_model_sweep(self.tmp / "models-default"))
        self.assertEqual(sweep.decisions, frozenset({"agents.approx.model"}))
        # As sweep.json states them: the agreement is part of the choice of model.
        sweep = sp.open_sweep(synthetic.write_model_sweep(
            self.tmp / "models", {"agents.approx.model": True, "workload.match.alpha": True}))
        self.assertEqual(sweep.decisions, frozenset({"agents.approx.model", "workload.match.alpha"}))
        x_axis, second = sweep_x_axis(sweep)
        self.assertIsNone(second)  # zipped: the models carry their agreement
        self.assertEqual(x_axis.ticks, ["gpt-4o-mini (6)", "llama-3-8b (3)", "claude-haiku (8)"])
        self.assert_figure(sp.plot_sweep_metric(sweep, "latency_mean_s"), "sweep_models_latency")
        fig = sp.plot_sweep_latency_cost(sweep)
        # One point per (model, policy) over both seeds, and sequential (the same under every
        # model) once: 3 models x 2 speculative policies + 1.
        from matplotlib.collections import PathCollection

        points = sum(len(c.get_offsets()) for c in fig.axes[0].collections if isinstance(c, PathCollection))
        self.assertEqual(points, 7)
        self.assert_figure(fig, "sweep_models_latency_cost")

    def test_closed_form_speedup(self):
        from specsim_plots.sweep import closed_form_speedup

        # p = 0.6, k = 3: E[J] = 1.96; a/t = 1/4: 1.96 / (1 + 0.24) = 1.5806...
        self.assertAlmostEqual(float(closed_form_speedup(np.array([0.6]), 3, 1.0, 4.0)[0]), 1.96 / 1.24, places=12)
        self.assertEqual(float(closed_form_speedup(np.array([0.0]), 5, 1.0, 4.0)[0]), 1.0)

    def test_lines_follow_a_policy_whose_label_changes(self):
        sweep = sp.open_sweep(synthetic.write_sweep(self.tmp / "sweep", vary_labels=True))
        lines = policy_lines(sweep)
        self.assertEqual(list(lines), ["sequential", "fixed_k (policy #1)", "dsp(tau=0.5)"])
        self.assertEqual(len(lines["fixed_k (policy #1)"]), 16)  # 4 p x 2 k x 2 seeds
        self.assert_figure(sp.plot_sweep_metric(sweep, "cost_usd"), "sweep_cost_usd")


class CliTest(FigureAssertions):
    def test_all_figures_of_a_run(self):
        path = synthetic.write_run(self.tmp / "r.h5")
        code, out, err = run_cli(path, "-o", self.tmp / "figs", "--formats", "png")
        self.assertEqual(code, 0, err)
        written = sorted(Path(line).name for line in out.splitlines())
        expected = sorted(f"{f.name}.png" for f in sp.FIGURES if f.source == "run")
        self.assertEqual(written, expected)
        self.assertEqual(err, "")

    def test_requested_figure_without_its_table_exits_2_naming_it(self):
        path = synthetic.write_run(self.tmp / "r.h5", learning=False)
        code, out, err = run_cli(path, "-o", self.tmp / "figs", "--only", "learning_curve")
        self.assertEqual(code, 2)
        self.assertEqual(out, "")
        self.assertEqual(err.strip(), f"{path}: missing table /policies/dsp(tau=0.3)/learning "
                                      "(needed for figure learning_curve)")

    def test_absent_tables_are_skipped_with_a_note(self):
        path = synthetic.write_summary_only(self.tmp / "s.h5")
        code, out, err = run_cli(path, "-o", self.tmp / "figs", "--formats", "png")
        self.assertEqual(code, 0, err)
        self.assertIn("latency_cost.png", out)
        self.assertIn("note: skipped:", err)
        self.assertIn("missing table /policies/sequential/episodes (needed for figure concurrency)", err)

    def test_file_without_summary_exits_2(self):
        path = synthetic.write_empty(self.tmp / "empty.h5")
        for only in ("latency_cost", None):
            with self.subTest(only=only):
                args = [path, "-o", self.tmp / "figs"] + (["--only", only] if only else [])
                code, out, err = run_cli(*args)
                self.assertEqual(code, 2)
                self.assertEqual(err.strip(), f"{path}: missing table /summary (needed for figure latency_cost)")

    def test_bad_inputs_exit_2_with_one_line(self):
        run = synthetic.write_run(self.tmp / "r.h5")
        not_h5 = self.tmp / "not.h5"
        not_h5.write_text("hello")
        cases = {
            "no such file": ([self.tmp / "nope.h5"], "no such file"),
            "not HDF5": ([not_h5], "not a readable HDF5"),
            "unknown figure": ([run, "--only", "pie"], "unknown figure 'pie'"),
            "sweep figure on a run": ([run, "--only", "sweep_speedup"], "needs a sweep folder"),
            "unknown policy": ([run, "--policy", "nobody"], "no policy labelled 'nobody'"),
            "bad format": ([run, "--formats", "png,xyz"], "unsupported format"),
            "empty folder": ([self.tmp / "figs_in"], "missing table summary.h5 or summary.csv"),
        }
        (self.tmp / "figs_in").mkdir()
        for name, (args, message) in cases.items():
            with self.subTest(name):
                code, out, err = run_cli(*args, "-o", self.tmp / "figs")
                self.assertEqual(code, 2, err)
                self.assertIn(message, err)
                self.assertEqual(len(err.strip().splitlines()), 1, err)

    def test_list_names_every_figure_and_what_it_needs(self):
        code, out, err = run_cli("--list")
        self.assertEqual((code, err), (0, ""))
        lines = out.splitlines()
        self.assertEqual([line.split()[0] for line in lines], [f.name for f in sp.FIGURES])
        self.assertEqual([line.split()[1] for line in lines], [f.source for f in sp.FIGURES])

    def test_no_pdf_embeds_a_type3_font(self):
        """Every figure of every input kind, through the command line, as PDF."""
        inputs = {"run": synthetic.write_run(self.tmp / "r.h5"), "sweep": synthetic.write_sweep(self.tmp / "sweep"),
                  "fidelity": ParityTest.write_report(self)}
        for kind, path in inputs.items():
            code, out, err = run_cli(path, "-o", self.tmp / f"figs-{kind}", "--formats", "pdf")
            self.assertEqual(code, 0, err)
            written = [Path(line) for line in out.splitlines()]
            # The hand-made fidelity report has no learner rows: its learner figure is skipped.
            expected = sum(f.source == kind and f.name != "learner_fidelity" for f in sp.FIGURES)
            self.assertEqual(len(written), expected, kind)
            for pdf in written:
                self.assertFalse(b"/Type3" in pdf.read_bytes(), pdf.name)

    def test_titles_only_when_asked(self):
        run = sp.open_run(synthetic.write_run(self.tmp / "r.h5"))
        self.assertEqual(sp.plot_latency_cost(run).axes[0].get_title(), "")
        titled = sp.plot_latency_cost(run, options=sp.Options(title=True)).axes[0].get_title()
        self.assertEqual(titled, "synthetic: latency vs cost (95% CI)")

    def test_sweep_folder(self):
        folder = synthetic.write_sweep(self.tmp / "sweep")
        code, out, err = run_cli(folder, "-o", self.tmp / "figs", "--formats", "png,pdf")
        self.assertEqual(code, 0, err)
        names = {Path(line).name for line in out.splitlines()}
        for spec in sp.FIGURES:
            if spec.source == "sweep":
                self.assertIn(f"{spec.name}.png", names)
                self.assertIn(f"{spec.name}.pdf", names)


class FleetTest(FigureAssertions):
    """The fleet figures, from a small fleet that specsim itself runs (the binary under test)."""

    SCENARIO = """name: small-fleet
seed: 3
max_steps: 12
agents:
  approx: {model: gpt-4o-mini, input_tokens: {base: 700, per_step: 45}, output_tokens: 14}
  target: {model: gpt-4o, input_tokens: {base: 900, per_step: 60}, output_tokens: 60}
workload: {kind: synthetic, steps: {kind: uniform, min: 3, max: 8}, match: {kind: iid, p: 0.6}}
policies: [sequential, {kind: fixed_k, k: 4}]
fleet:
  arrivals: {kind: poisson, rate_per_s: [0.5, 1.5, 2.5, 3.5]}
  tasks: 300
  warmup_s: 20
  limits: [{models: [gpt-4o], max_in_flight: 6, priority: true}]
"""

    def run_fleet(self) -> Path:
        binary = os.environ.get("SPECSIM_BINARY")
        if not binary:
            self.skipTest("SPECSIM_BINARY is not set (ctest sets it)")
        scenario = self.tmp / "fleet.yaml"
        scenario.write_text(self.SCENARIO)
        out = self.tmp / "fleet.h5"
        subprocess.run([binary, "fleet", str(scenario), "-o", str(out), "-q", "--threads", "1"], check=True)
        return out

    def test_fleet_figures_and_break_even(self):
        path = self.run_fleet()
        fleet = sp.open_results(path)
        self.assertIsInstance(fleet, sp.FleetRun)
        breaks = sp.read_table(path, "fleet_break_even")
        self.assertEqual([str(x) for x in breaks["policy"]], ["fixed_k(k=4)"])
        load = float(breaks["load"][0])
        self.assertTrue(0.5 <= load <= 3.5, load)  # speculation stops paying inside the swept range
        latency = self.assert_figure(sp.plot_fleet_latency(fleet), "fleet_latency_load")
        self.assertEqual(latency.shape[1], round(style.SINGLE_COLUMN * style.DPI))
        self.assert_figure(sp.plot_fleet_cost(fleet), "fleet_cost_load")
        code, out, err = run_cli(path, "-o", self.tmp / "figs", "--formats", "png")
        self.assertEqual((code, err), (0, ""))
        self.assertEqual(sorted(Path(line).name for line in out.splitlines()),
                         ["fleet_cost_load.png", "fleet_latency_load.png"])


class ParityTest(FigureAssertions):
    """The fidelity report's parity figure, from a hand-made report in the JSON of specsim."""

    def write_report(self, modes=("replay", "loto", "lofo")) -> Path:
        import json

        runs = [{"task_id": f"s/t{i}", "measured_s": 30.0 + 10 * i,
                 "simulated_s": {m: 30.0 + 10 * i + (i % 3 - 1) * 2 for m in modes},
                 "naive_s": {m: 36.0 + 11 * i for m in modes}} for i in range(8)]
        doc = {"kind": "specsim-fidelity", "noise_floor_percent": 12.0,
               "modes": [{"name": m, "mean_error": 0.01, "mape_percent": 4.0, "naive_mean_error": 0.1,
                          "naive_mape_percent": 12.0} for m in modes], "runs": runs}
        path = self.tmp / "fidelity.json"
        path.write_text(json.dumps(doc), encoding="utf-8")
        return path

    def test_parity_figure(self):
        fid = sp.io.open_results(self.write_report())
        self.assert_figure(sp.figures.by_name("parity").draw(fid), "parity")

    def test_cli_draws_only_the_fidelity_figures(self):
        code, out, err = run_cli(self.write_report(), "-o", self.tmp / "figs", "--formats", "png")
        self.assertEqual(code, 0, err)
        self.assertEqual([Path(line).name for line in out.splitlines()], ["parity.png"])

    def test_a_report_without_held_out_mode_is_missing_data(self):
        code, _, err = run_cli(self.write_report(("replay",)), "-o", self.tmp / "figs", "--only", "parity")
        self.assertEqual(code, 2)
        self.assertIn("missing mode loto (needed for figure parity)", err)

    def test_learner_figure_from_the_learner_rows(self):
        import json

        path = self.write_report()
        doc = json.loads(path.read_text(encoding="utf-8"))
        sessions = [{"session": "s", "batch_steps": 16, "epochs": 3,
                     "simulated_jobs": [{"task": t, "loss": 0.5, "accuracy": 0.25 * t} for t in range(4)],
                     "recorded_jobs": [{"task": t, "loss": 0.4, "accuracy": 0.2 * t} for t in range(5)]}]
        doc["learner"] = [{"lr": 5e-5, "pretrain_lr": 1e-4 if warm else 0, "simulated_k": {"1": 30, "2": 10 if warm else 0},
                           "recorded_k": {"1": 31, "2": 9}, "total_variation": 0.025 if warm else 0.225,
                           "training_jobs": 4, "recorded_training_jobs": 5, "sessions": sessions}
                          for warm in (True, False)]
        path.write_text(json.dumps(doc), encoding="utf-8")
        fid = sp.io.open_results(path)
        self.assertEqual(len(fid.learner), 2)
        self.assert_figure(sp.figures.by_name("learner_fidelity").draw(fid), "learner_fidelity")
        # Without learner rows the figure is missing its data, and the other figures are drawn.
        code, out, err = run_cli(self.write_report(), "-o", self.tmp / "figs", "--only", "learner_fidelity")
        self.assertEqual(code, 2)
        self.assertIn("missing learner rows", err)

    def test_other_json_is_bad_input(self):
        path = self.tmp / "other.json"
        path.write_text("{}", encoding="utf-8")
        code, _, err = run_cli(path, "-o", self.tmp / "figs")
        self.assertEqual(code, 2)
        self.assertIn("not a fidelity report", err)


@unittest.skipUnless(os.environ.get("SPECSIM_BINARY"), "SPECSIM_BINARY not set: skipping the real-binary test")
class RealBinaryTest(FigureAssertions):
    """End to end: specsim run on the bundled quickstart, then python3 -m specsim_plots."""

    def setUp(self):
        super().setUp()
        binary = os.environ["SPECSIM_BINARY"]
        if not Path(binary).is_file():
            self.skipTest(f"SPECSIM_BINARY={binary} does not exist (build the project first)")
        self.h5 = self.tmp / "quickstart.h5"
        proc = subprocess.run([binary, "run", str(SOURCE_DIR / "scenarios" / "quickstart.yaml"), "--episodes", "300",
                               "-q", "-o", str(self.h5)], capture_output=True, text=True, timeout=120)
        self.assertEqual(proc.returncode, 0, proc.stderr)

    def test_cli_end_to_end(self):
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ANALYSIS_DIR),
                                                                          os.environ.get("PYTHONPATH")])))
        out_dir = self.tmp / "figs"
        proc = subprocess.run([sys.executable, "-m", "specsim_plots", str(self.h5), "-o", str(out_dir)],
                              capture_output=True, text=True, env=env, timeout=300)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        written = [Path(line) for line in proc.stdout.splitlines()]
        names = {p.name for p in written}
        for stem in ("latency_cost", "k_sweep", "knobs", "learning_curve", "k_histogram", "concurrency", "timeline"):
            self.assertIn(f"{stem}.png", names)
            self.assertIn(f"{stem}.pdf", names)
        self.assertTrue(all(p.is_file() and p.stat().st_size > 0 for p in written))
        # The quickstart has every kind of policy: no figure is skipped.
        self.assertNotIn("skipped", proc.stderr)
        image = matplotlib.image.imread(out_dir / "timeline.png")
        self.assertGreater(float(image[..., :3].std()), MIN_PIXEL_STD)

    def test_figures_on_the_real_file(self):
        run = sp.open_run(self.h5)
        self.assertEqual([p.kind for p in run.policies], ["sequential"] + ["fixed_k"] * 4 + ["dsp"] * 2 + ["oracle"])
        self.assert_figure(sp.plot_latency_cost(run), "latency_cost")
        self.assert_figure(sp.plot_k_sweep(run), "k_sweep")
        self.assert_figure(sp.plot_concurrency(run), "concurrency")
        self.assert_figure(sp.plot_timeline(run, sp.Options(policy="fixed_k(k=2)", episode=1)), "timeline")
        self.assert_figure(sp.plot_knobs(run), "knobs")
        self.assert_figure(sp.plot_learning_curve(run), "learning_curve")


if __name__ == "__main__":
    unittest.main()
