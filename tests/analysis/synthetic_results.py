"""Small hand-made result files that follow docs/results.md, for the plotting tests.

The real binary cannot (yet) produce DSP policies, learning tables, k histograms or sweep
folders, so these files are written with h5py using the exact field names and types of
analysis/result_file.cpp, plus the tables announced for DSP. Numbers are plausible (the
closed form of DESIGN.md section 1 for fixed k), not simulated: only the layout matters here.
"""

from __future__ import annotations

import csv
from pathlib import Path

import h5py
import numpy as np

SUMMARY_DTYPE = np.dtype([
    ("name", "S32"), ("label", "S96"), ("episodes", "<i8"), ("steps", "<f8"),
    ("latency_mean_s", "<f8"), ("latency_ci95_s", "<f8"), ("latency_p50_s", "<f8"), ("latency_p50_lo_s", "<f8"),
    ("latency_p50_hi_s", "<f8"), ("latency_p95_s", "<f8"), ("latency_p95_lo_s", "<f8"), ("latency_p95_hi_s", "<f8"),
    ("speedup", "<f8"), ("speedup_ci95", "<f8"), ("cost_usd", "<f8"), ("cost_ci95_usd", "<f8"),
    ("cost_ratio", "<f8"), ("cost_ratio_ci95", "<f8"), ("unnecessary_cost_usd", "<f8"),
    ("speculation_cost_usd", "<f8"), ("calls_target", "<f8"), ("calls_approx", "<f8"), ("calls_cancelled", "<f8"),
    ("concurrency_mean", "<f8"), ("concurrency_peak", "<i4"), ("mean_k", "<f8"),
    ("latency_p99_s", "<f8"), ("latency_p99_lo_s", "<f8"), ("latency_p99_hi_s", "<f8"),
    ("unnecessary_cost_ci95_usd", "<f8"), ("speculation_cost_ci95_usd", "<f8"), ("mean_k_ci95", "<f8"),
    ("seconds_saved_s", "<f8"), ("seconds_saved_ci95_s", "<f8"), ("extra_cost_usd", "<f8"),
    ("extra_cost_ci95_usd", "<f8"), ("usd_per_s_saved", "<f8"), ("usd_per_s_saved_ci95", "<f8"),
    ("net_value_usd", "<f8"), ("net_value_ci95_usd", "<f8"), ("k_cut_share", "<f8")])
VALUE_OF_TIME = 0.002  # $/s, the objective the synthetic results state
EPISODE_DTYPE = np.dtype([
    ("episode", "<i8"), ("steps", "<i4"), ("rounds", "<i4"), ("terminated", "<i4"), ("latency_s", "<f8"),
    ("cost_usd", "<f8"), ("unnecessary_cost_usd", "<f8"), ("speculation_cost_usd", "<f8"), ("calls_target", "<i4"),
    ("calls_approx", "<i4"), ("calls_cancelled", "<i4"), ("input_tokens_target", "<i8"),
    ("output_tokens_target", "<i8"), ("input_tokens_approx", "<i8"), ("output_tokens_approx", "<i8"),
    ("concurrency_mean", "<f8"), ("concurrency_peak", "<i4"), ("mean_k", "<f8"), ("k_cut_rounds", "<i4")])
ROUND_DTYPE = np.dtype([
    ("episode", "<i8"), ("round", "<i4"), ("start_step", "<i4"), ("k", "<i4"), ("committed", "<i4"),
    ("mismatch", "<i4"), ("start_s", "<f8"), ("end_s", "<f8")])
CALL_DTYPE = np.dtype([
    ("episode", "<i8"), ("round", "<i4"), ("pos", "<i4"), ("step", "<i4"), ("call_index", "<i4"), ("agent", "u1"),
    ("status", "u1"), ("role", "u1"), ("on_path", "u1"), ("requested_s", "<f8"), ("started_s", "<f8"),
    ("ended_s", "<f8"), ("input_tokens", "<i4"), ("output_tokens", "<i4"), ("billed_input_tokens", "<i4"),
    ("billed_output_tokens", "<i4"), ("cost_usd", "<f8")])
LEARNING_DTYPE = np.dtype([
    ("episode", "<i8"), ("predictions", "<i4"), ("accuracy", "<f8"), ("mae", "<f8"), ("mean_k", "<f8"),
    ("training_jobs", "<i4"), ("staleness", "<f8")])
K_HISTOGRAM_DTYPE = np.dtype([("k", "<i4"), ("count", "<i8")])

P, A_S, T_S = 0.6, 1.0, 4.0  # match probability, approx and target call latency
A_USD, T_USD = 0.0002, 0.004  # price of one call
STEPS, EPISODES = 10, 120


def expected_steps_per_round(k: float) -> float:
    return (1 - P ** k) / (1 - P)


def policy_figures(kind: str, k: float) -> dict:
    """Plausible summary figures for a policy speculating k steps deep (k = 0: sequential)."""
    if kind == "sequential":
        return dict(latency=STEPS * T_S, cost=STEPS * T_USD, waste=0.0, mean_k=0.0, conc=1.0)
    j = expected_steps_per_round(k)
    rounds = STEPS / j
    latency = rounds * (T_S + A_S * (j - 1))
    calls = rounds * k
    cost = calls * (T_USD + A_USD)
    return dict(latency=latency, cost=cost, waste=cost - STEPS * (T_USD + A_USD), mean_k=k, conc=min(k, j + 1))


POLICIES = (  # (label, kind, config, k)
    ("sequential", "sequential", "{kind: sequential}", 0),
    *((f"fixed_k(k={k})", "fixed_k", f"{{kind: fixed_k, k: {k}}}", k) for k in (1, 2, 3, 4, 5)),
    *((f"dsp(tau={t})", "dsp", f"{{kind: dsp, tau: {t}, offset: 0}}", 1.5 + 3 * (t - 0.3)) for t in (0.3, 0.5, 0.7, 0.9)),
    *((f"dsp(offset={b})", "dsp", f"{{kind: dsp, tau: 0.5, offset: {b}}}", 2.1 + b) for b in (-1, 1, 2)),
    ("oracle", "oracle", "{kind: oracle}", 2.4),
)


def summary_rows(policies=POLICIES) -> np.ndarray:
    rows = np.zeros(len(policies), dtype=SUMMARY_DTYPE)
    base = policy_figures("sequential", 0)
    for i, (label, kind, _, k) in enumerate(policies):
        f = policy_figures(kind, k)
        r = rows[i]
        r["name"], r["label"], r["episodes"], r["steps"] = kind.encode(), label.encode(), EPISODES, STEPS
        r["latency_mean_s"], r["latency_ci95_s"] = f["latency"], 0.02 * f["latency"]
        for q, scale in (("p50", 1.0), ("p95", 1.4)):
            r[f"latency_{q}_s"] = scale * f["latency"]
            r[f"latency_{q}_lo_s"], r[f"latency_{q}_hi_s"] = 0.97 * scale * f["latency"], 1.03 * scale * f["latency"]
        r["speedup"], r["speedup_ci95"] = base["latency"] / f["latency"], 0.01
        r["cost_usd"], r["cost_ci95_usd"] = f["cost"], 0.03 * f["cost"]
        r["cost_ratio"], r["cost_ratio_ci95"] = f["cost"] / base["cost"], 0.005
        r["unnecessary_cost_usd"], r["speculation_cost_usd"] = f["waste"], 0.1 * f["cost"]
        r["calls_target"], r["calls_approx"], r["calls_cancelled"] = STEPS, STEPS * (k > 0), k
        r["concurrency_mean"], r["concurrency_peak"], r["mean_k"] = f["conc"], int(np.ceil(k)) + 1, f["mean_k"]
        r["latency_p99_s"] = 1.6 * f["latency"]
        r["latency_p99_lo_s"], r["latency_p99_hi_s"] = 0.95 * r["latency_p99_s"], 1.05 * r["latency_p99_s"]
        saved, extra = base["latency"] - f["latency"], f["cost"] - base["cost"]
        r["seconds_saved_s"], r["seconds_saved_ci95_s"] = saved, 0.02 * f["latency"]
        r["extra_cost_usd"], r["extra_cost_ci95_usd"] = extra, 0.03 * f["cost"]
        r["usd_per_s_saved"] = extra / saved if saved > 0 else np.nan
        r["usd_per_s_saved_ci95"] = 0.1 * abs(r["usd_per_s_saved"]) if saved > 0 else np.nan
        r["net_value_usd"], r["net_value_ci95_usd"] = VALUE_OF_TIME * saved - extra, 0.003
    return rows


def episode_rows(kind: str, k: float, rng: np.random.Generator, n: int = EPISODES) -> np.ndarray:
    f = policy_figures(kind, k)
    rows = np.zeros(n, dtype=EPISODE_DTYPE)
    rows["episode"] = np.arange(n)
    rows["steps"], rows["rounds"], rows["terminated"] = STEPS, max(1, int(STEPS / max(1, k))), 1
    rows["latency_s"] = f["latency"] * rng.lognormal(0, 0.2, n)
    rows["cost_usd"] = f["cost"] * rng.lognormal(0, 0.2, n)
    rows["unnecessary_cost_usd"] = f["waste"] * rng.lognormal(0, 0.3, n)
    rows["speculation_cost_usd"] = 0.1 * rows["cost_usd"]
    rows["calls_target"], rows["calls_approx"], rows["calls_cancelled"] = STEPS, STEPS, int(k)
    rows["concurrency_mean"] = 1.0 if kind == "sequential" else f["conc"] * rng.lognormal(0, 0.1, n)
    rows["concurrency_peak"] = 1 if kind == "sequential" else rng.integers(max(1, int(k)), int(k) + 3, n)
    rows["mean_k"] = f["mean_k"]
    return rows


def episode_timeline(episode: int, k: int, matches: list[bool]) -> tuple[list, list]:
    """Rounds and calls of one episode under DSP semantics (one call per A step, two per T step).

    Simplified: constant latencies, A's guesses one after another, T_j starting with A_j; the
    first mismatch commits T's step and cancels the rest of the round.
    """
    rounds, calls = [], []
    c, now, r = 0, 0.0, 0
    k = max(1, k)
    while c < len(matches):
        depth = min(k, len(matches) - c)
        m = next((j for j in range(depth) if not matches[c + j]), None)
        committed = depth if m is None else m + 1
        t_half = T_S / 2
        verified = [j * A_S + T_S for j in range(depth)]
        end = now + (verified[committed - 1] if m is None else verified[m])
        for j in range(depth):
            start = now + j * A_S
            step = c + j
            a_end, t_end = start + A_S, start + T_S
            beyond = m is not None and j > m
            a_role = 2 if (m is None or j < m) else 3
            for call_index, (s0, s1) in enumerate(((start, start + t_half), (start + t_half, t_end))):
                if s0 >= end:
                    continue  # the round was over before this call would have started
                cancelled = beyond and s1 > end
                calls.append((episode, r, j, step, call_index, 1, 3 if cancelled else 2, 3 if beyond else 1,
                              0 if beyond else 1, s0, s0, min(s1, end), 900, 50, 900, 0 if cancelled else 50,
                              T_USD / 2))
            if k > 1 and (m is None or j <= m):
                calls.append((episode, r, j, step, 0, 0, 2, a_role, int(a_role == 2), start, start, a_end, 700, 12,
                              700, 12, A_USD))
        rounds.append((episode, r, c, k, committed, int(m is not None), now, end))
        c += committed
        now = end
        r += 1
    return rounds, calls


def learning_rows(rng: np.random.Generator, tau: float, n: int = EPISODES) -> np.ndarray:
    rows = np.zeros(n, dtype=LEARNING_DTYPE)
    e = np.arange(n)
    rows["episode"] = e
    rows["predictions"] = rng.integers(2, 6, n)
    rows["predictions"][:3] = 0  # cold start: no prediction made yet
    rows["accuracy"] = np.clip(0.75 - 0.5 * np.exp(-e / 30) + rng.normal(0, 0.1, n), 0, 1)
    rows["accuracy"][:3] = np.nan
    rows["mae"] = np.abs(1.5 * np.exp(-e / 30) + 0.4 + rng.normal(0, 0.1, n))
    rows["mean_k"] = 1 + tau * 3 * (1 - np.exp(-e / 30))
    rows["training_jobs"] = np.cumsum(rng.random(n) < 0.4)
    rows["staleness"] = rng.random(n)
    return rows


def write_run(path: Path, policies=POLICIES, learning: bool = True, k_histogram: bool = True,
              record_episodes: int = 2, seed: int = 7) -> Path:
    """A complete run file: /summary, and per policy episodes, rounds, calls (and DSP tables)."""
    rng = np.random.default_rng(seed)
    matches = (rng.random((record_episodes, STEPS)) < P).tolist()
    with h5py.File(path, "w") as f:
        for key, value in (("scenario_name", "synthetic"), ("seed", str(seed)), ("episodes", str(EPISODES)),
                           ("specsim_version", "test"), ("scenario_yaml", "name: synthetic\n")):
            f.attrs[key] = np.bytes_(value)
        f.create_dataset("summary", data=summary_rows(policies))
        root = f.create_group("policies")
        for index, (label, kind, config, k) in enumerate(policies):
            g = root.create_group(label.replace("/", "_"))
            g.attrs["label"], g.attrs["kind"], g.attrs["config"] = np.bytes_(label), np.bytes_(kind), np.bytes_(config)
            g.attrs["index"] = np.int64(index)
            g.create_dataset("episodes", data=episode_rows(kind, k, rng), maxshape=(None,), chunks=True)
            rounds, calls = [], []
            for e in range(record_episodes):
                r, c = episode_timeline(e, 1 if kind == "sequential" else int(round(k)), matches[e])
                rounds += r
                calls += c
            g.create_dataset("rounds", data=np.array(rounds, dtype=ROUND_DTYPE), maxshape=(None,), chunks=True)
            g.create_dataset("calls", data=np.array(calls, dtype=CALL_DTYPE), maxshape=(None,), chunks=True)
            if kind == "dsp" and learning:
                g.create_dataset("learning", data=learning_rows(rng, k / 5))
            if kind in ("dsp", "oracle") and k_histogram:
                ks = np.arange(1, 7, dtype=np.int32)
                counts = rng.poisson(200 * np.exp(-np.abs(ks - k)))
                g.create_dataset("k_histogram", data=np.array(list(zip(ks, counts)), dtype=K_HISTOGRAM_DTYPE))
    return path


def write_summary_only(path: Path) -> Path:
    """A file with /summary and policy groups but no per-policy tables at all."""
    with h5py.File(path, "w") as f:
        f.attrs["scenario_name"] = np.bytes_("summary-only")
        f.create_dataset("summary", data=summary_rows())
        root = f.create_group("policies")
        for index, (label, kind, config, _) in enumerate(POLICIES):
            g = root.create_group(label.replace("/", "_"))
            g.attrs["label"], g.attrs["kind"], g.attrs["config"] = np.bytes_(label), np.bytes_(kind), np.bytes_(config)
            g.attrs["index"] = np.int64(index)
    return path


def write_empty(path: Path) -> Path:
    """An HDF5 file with none of specsim's tables."""
    with h5py.File(path, "w") as f:
        f.attrs["scenario_name"] = np.bytes_("empty")
    return path


SWEEP_POLICIES = (POLICIES[0], POLICIES[2], POLICIES[7])  # sequential, fixed_k(k=2), dsp(tau=0.5)


def write_sweep(folder: Path, csv_only: bool = False, vary_labels: bool = False) -> Path:
    """A sweep folder over workload.match.p (numeric) x agents.approx.model (text) x 2 seeds.

    With ``vary_labels`` the second axis is ``policies[1].k`` instead, so the fixed-k policy's
    label changes from run to run (the case where lines must follow a policy by position).
    """
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "runs").mkdir(exist_ok=True)
    second = "policies[1].k" if vary_labels else "agents.approx.model"
    second_values = (2, 3) if vary_labels else ("gpt-4o-mini", "llama-3-8b")
    header = ["run_id", "seed", "workload.match.p", second] + [n for n in SUMMARY_DTYPE.names]
    rows, n = [], 0
    for p in (0.3, 0.5, 0.7, 0.9):
        for v in second_values:
            for seed in (1, 2):
                run_id = f"run{n:03d}"
                n += 1
                policies = list(SWEEP_POLICIES)
                if vary_labels:
                    policies[1] = (f"fixed_k(k={v})", "fixed_k", f"{{kind: fixed_k, k: {v}}}", v)
                summary = summary_rows(policies)
                scale = 1.0 + (0.9 - p) + (0.1 if v in ("llama-3-8b", 3) else 0.0) + 0.01 * seed
                summary["latency_mean_s"][1:] *= scale
                summary["cost_usd"] *= 2 - scale / 2
                for r in summary:
                    rows.append([run_id, seed, p, v] + [r[name].decode() if isinstance(r[name], bytes) else r[name].item()
                                                        for name in SUMMARY_DTYPE.names])
    with open(folder / "summary.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    if not csv_only:
        second_type = "<i8" if vary_labels else "S32"
        dtype = np.dtype([("run_id", "S32"), ("seed", "<i8"), ("workload.match.p", "<f8"), (second, second_type)]
                         + [(n, SUMMARY_DTYPE.fields[n][0]) for n in SUMMARY_DTYPE.names])
        table = np.array([tuple(v.encode() if isinstance(v, str) else v for v in row) for row in rows], dtype=dtype)
        with h5py.File(folder / "summary.h5", "w") as f:
            f.create_dataset("summary", data=table)
    return folder


def write_model_sweep(folder: Path, decisions: dict | None = None) -> Path:
    """A zipped sweep: agents.approx.model (text) with workload.match.alpha (its agreement), two
    seeds; sequential's figures the same for every model. ``decisions`` writes a sweep.json whose
    axes state them (else none is written)."""
    import json

    folder.mkdir(parents=True, exist_ok=True)
    (folder / "runs").mkdir(exist_ok=True)
    axes = ["agents.approx.model", "workload.match.alpha"]
    header = ["run_id", "seed"] + axes + [n for n in SUMMARY_DTYPE.names]
    rows = []
    for n, (model, alpha) in enumerate((("gpt-4o-mini", 6), ("llama-3-8b", 3), ("claude-haiku", 8))):
        for seed in (1, 2):
            summary = summary_rows(SWEEP_POLICIES)
            summary["latency_mean_s"][1:] *= 1.0 + 0.05 * n + 0.01 * seed  # not sequential's
            summary["cost_usd"][1:] *= 1.0 + 0.1 * n
            for r in summary:
                rows.append([f"run{n}{seed}", seed, model, alpha] +
                            [r[name].decode() if isinstance(r[name], bytes) else r[name].item() for name in SUMMARY_DTYPE.names])
    with open(folder / "summary.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    if decisions is not None:
        (folder / "sweep.json").write_text(json.dumps({"axes": [{"path": a, "decision": decisions[a]} for a in axes]}))
    return folder
