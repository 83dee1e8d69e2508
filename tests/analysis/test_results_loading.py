"""The Python package (analysis/specsim): every result kind loads in one line, as pandas tables.

Real results come from $SPECSIM_BINARY (a run's .h5 and .json, a sweep folder); the fidelity
report is hand-made in the JSON that ``specsim trace fidelity`` writes. Also: ``specsim plot``
itself (a Python searched on PATH, a missing module named by its Debian package, a closed pipe).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCE_DIR = Path(os.environ.get("SPECSIM_SOURCE_DIR", HERE.parent.parent))
if str(SOURCE_DIR / "analysis") not in sys.path:
    sys.path.insert(0, str(SOURCE_DIR / "analysis"))

import specsim  # noqa: E402

BINARY = os.environ.get("SPECSIM_BINARY", "")


@unittest.skipUnless(BINARY and Path(BINARY).is_file(), "SPECSIM_BINARY not set or not built")
class LoadTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls._tmp = tempfile.TemporaryDirectory(prefix="specsim-load-")
        cls.tmp = Path(cls._tmp.name)
        subprocess.run([BINARY, "run", str(SOURCE_DIR / "scenarios" / "quickstart.yaml"), "--episodes", "40", "-q",
                        "-o", str(cls.tmp / "q.h5"), "--json", str(cls.tmp / "q.json")], check=True, timeout=120)
        subprocess.run([BINARY, "sweep", str(SOURCE_DIR / "scenarios" / "sweeps" / "k-vs-match-rate.yaml"),
                        "--episodes", "5", "-q", "-o", str(cls.tmp / "sweep")], check=True, timeout=300)

    @classmethod
    def tearDownClass(cls):
        cls._tmp.cleanup()

    def test_run_file(self):
        r = specsim.load(self.tmp / "q.h5")
        labels = ["sequential", "fixed_k(k=1)", "fixed_k(k=2)", "fixed_k(k=3)", "fixed_k(k=4)", "dsp(tau=0.5)",
                  "dsp(tau=0.9)", "oracle"]
        self.assertEqual(list(r.summary["label"]), labels)
        self.assertIsInstance(r.summary["label"][0], str)  # not bytes
        self.assertEqual(r.attrs["seed"], 42)  # a number, not "42"
        self.assertEqual(r.attrs["episodes"], 40)
        self.assertEqual(len(r.episodes), 40 * len(labels))
        self.assertEqual(list(r.episodes["policy"].unique()), labels)
        self.assertEqual(sorted(r.episodes.groupby("policy").size().unique()), [40])
        self.assertEqual(set(r.rounds["policy"]), set(labels))
        self.assertEqual(set(r.calls["policy"]), set(labels))
        self.assertEqual(set(r.learning["policy"]), {"dsp(tau=0.5)", "dsp(tau=0.9)"})
        self.assertIn("k", r.k_histogram)
        # The summary's mean is the mean of the episodes table.
        seq = r.episodes[r.episodes.policy == "fixed_k(k=2)"]
        self.assertAlmostEqual(float(seq["latency_s"].mean()), float(r.summary["latency_mean_s"][2]), places=9)

    def test_json_summary(self):
        r = specsim.load(self.tmp / "q.json")
        h5 = specsim.load(self.tmp / "q.h5").summary
        self.assertEqual(list(r.summary["label"]), list(h5["label"]))
        for column in ("latency_mean_s", "cost_ratio", "speculation_cost_usd", "mean_k", "latency_p99_s",
                       "usd_per_s_saved", "net_value_usd", "net_value_ci95_usd"):
            self.assertEqual(list(r.summary[column].fillna(-1)), list(h5[column].fillna(-1)), column)

    def test_sweep_folder(self):
        r = specsim.load(self.tmp / "sweep")
        self.assertEqual(len(r.summary), 9 * 8 * 2)  # p x k x (sequential, fixed k)
        self.assertEqual(sorted(r.summary["workload.match.p"].unique().round(6)),
                         [round(0.1 * i, 6) for i in range(1, 10)])
        self.assertEqual(sorted(r.summary["policies[1].k"].unique()), list(range(1, 9)))
        self.assertTrue((r.summary["episodes"] == 5).all())

    def test_fidelity_report(self):
        path = self.tmp / "fidelity.json"
        path.write_text(json.dumps({"kind": "specsim-fidelity", "modes": [], "runs": [
            {"task_id": "a/1", "measured_s": 10.0, "simulated_s": {"loto": 11.0}}]}), encoding="utf-8")
        r = specsim.load(path)
        self.assertEqual(list(r.summary["task_id"]), ["a/1"])
        self.assertEqual(list(r.summary["simulated_s.loto"]), [11.0])


@unittest.skipUnless(BINARY and Path(BINARY).is_file(), "SPECSIM_BINARY not set or not built")
class PlotCommandTest(unittest.TestCase):
    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory(prefix="specsim-plotcmd-")
        self.tmp = Path(self._tmp.name)

    def tearDown(self):
        self._tmp.cleanup()

    def test_python_is_searched_on_path_and_a_missing_module_names_its_package(self):
        # A PATH whose python3 lacks h5py (a stub package that cannot be imported).
        bin_dir, stub = self.tmp / "bin", self.tmp / "stub" / "h5py"
        bin_dir.mkdir()
        stub.mkdir(parents=True)
        (stub / "__init__.py").write_text("raise ModuleNotFoundError(\"No module named 'h5py'\", name='h5py')\n")
        (bin_dir / "python3").write_text(f"#!/bin/sh\nPYTHONPATH={stub.parent}:$PYTHONPATH exec {sys.executable} \"$@\"\n")
        (bin_dir / "python3").chmod(0o755)
        env = dict(os.environ, SPECSIM_PYTHON="python3", PATH=f"{bin_dir}:{os.environ['PATH']}")
        proc = subprocess.run([BINARY, "plot", str(self.tmp / "nothing.h5"), "-o", str(self.tmp / "f")],
                              capture_output=True, text=True, env=env)
        self.assertEqual(proc.returncode, 2)  # the missing input is named first
        proc = subprocess.run([BINARY, "plot", "--list"], capture_output=True, text=True, env=env)
        self.assertEqual(proc.returncode, 2)
        self.assertIn("has no module h5py: apt-get install python3-h5py", proc.stderr)
        self.assertEqual(len(proc.stderr.strip().splitlines()), 1, proc.stderr)

    def test_a_python_that_does_not_exist_is_named(self):
        env = dict(os.environ, SPECSIM_PYTHON="no-such-python3")
        proc = subprocess.run([BINARY, "plot", "--list"], capture_output=True, text=True, env=env)
        self.assertEqual(proc.returncode, 2)
        self.assertIn("cannot run no-such-python3", proc.stderr)

    def test_list_and_a_closed_pipe(self):
        proc = subprocess.run(f"'{BINARY}' plot --list | head -1", shell=True, capture_output=True, text=True)
        self.assertEqual(proc.stdout.split()[0], "latency_cost")
        self.assertEqual(proc.stderr, "")  # no BrokenPipeError traceback

    def test_installed_scripts_are_found_relative_to_the_binary(self):
        prefix = self.tmp / "prefix"
        build = Path(BINARY).parent
        subprocess.run(["cmake", "--install", str(build), "--prefix", str(prefix)], check=True, capture_output=True)
        installed = prefix / "bin" / "specsim"
        self.assertTrue((prefix / "share" / "specsim" / "python" / "specsim_plots" / "__main__.py").is_file())
        self.assertTrue((prefix / "share" / "specsim" / "python" / "specsim" / "__init__.py").is_file())
        proc = subprocess.run([str(installed), "plot", "--list"], capture_output=True, text=True)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertIn("latency_cdf", proc.stdout)


if __name__ == "__main__":
    unittest.main()
