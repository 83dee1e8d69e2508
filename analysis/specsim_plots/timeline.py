"""Figure ``timeline``: one episode's calls as a Gantt chart, to see the round semantics at work.

The A lane holds the approximation agent's guesses (strictly one at a time); the T lane has one
row per position in the round, because T's verifications of a round run in parallel. The calls
of a multi-call step (ReAct: thought, then action) follow each other in their row and are
labelled step.call. Colours tell what a call was worth: committed, speculation (a matched
guess), wasted, or cancelled; a marker shows each round's start and its depth k.
"""

from __future__ import annotations

import numpy as np
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from . import style
from .io import MissingData, Run

WIDTH = style.DOUBLE_COLUMN
AGENT_APPROX, AGENT_TARGET = 0, 1
STATUS_CANCELLED_QUEUED = 4
STATUS_CANCELLED = (3, STATUS_CANCELLED_QUEUED)
ROLE_NAMES = {1: "committed", 2: "speculation (matched guess)", 3: "wasted"}
COLORS = {"committed": "#2ca02c", "speculation (matched guess)": "#1f77b4", "wasted": "#ff7f0e",
          "cancelled": "#c7c7c7"}


def default_policy(run: Run) -> str:
    """The fixed_k policy with the largest k (the busiest timeline), else the first speculating one."""
    fixed = [(p.config.get("k"), -i, p.label) for i, p in enumerate(run.policies_of_kind("fixed_k"))
             if isinstance(p.config.get("k"), (int, float))]
    if fixed:
        return max(fixed)[2]
    speculating = [p.label for p in run.policies if p.kind != "sequential"]
    if speculating:
        return speculating[0]
    if not run.policies:
        raise MissingData(run.path, "group /policies/<label> (the file has no policies)")
    return run.policies[0].label


def category(status: int, role: int) -> str:
    """What a call was worth: cancelled calls first (whatever their role), then by role."""
    if status in STATUS_CANCELLED:
        return "cancelled"
    return ROLE_NAMES.get(int(role), "wasted")


def episode_rows(run: Run, label: str, table: str, episode: int):
    """The rows of one recorded episode (MissingData if that episode was not recorded)."""
    t = run.table(label, table)
    rows = t.select(t["episode"] == episode) if "episode" in t else t.select(np.zeros(len(t), dtype=bool))
    if len(rows) == 0:
        group = run.policy(label).group
        raise MissingData(run.path, f"episode {episode} in table /policies/{group}/{table} "
                                    "(only the first outputs.record_episodes episodes are recorded)")
    return rows


def plot_timeline(run: Run, options=None):
    """Gantt chart of one episode's calls for one policy (options.policy, options.episode)."""
    label = getattr(options, "policy", None) or default_policy(run)
    episode = int(getattr(options, "episode", 0) or 0)
    run.policy(label)  # an unknown label is bad input, not missing data
    calls = episode_rows(run, label, "calls", episode)
    rounds = episode_rows(run, label, "rounds", episode) if run.has_table(label, "rounds") else None

    agent, pos = calls["agent"].astype(int), calls["pos"].astype(int)
    t_rows = int(pos[agent == AGENT_TARGET].max()) + 1 if np.any(agent == AGENT_TARGET) else 1
    # y positions: A on top, then T's rows by position in the round.
    y = np.where(agent == AGENT_APPROX, t_rows + 0.3, t_rows - 1 - pos)
    multi = {a: bool(np.any(calls["call_index"][agent == a] > 0)) for a in (AGENT_APPROX, AGENT_TARGET)}

    lanes = t_rows + 1
    fig, axes = style.new_figure(WIDTH, 1.3 + 0.28 * lanes)
    ax = axes[0, 0]
    end = float(np.nanmax(calls["ended_s"]))
    used = set()
    for i in range(len(calls)):
        cat = category(int(calls["status"][i]), int(calls["role"][i]))
        used.add(cat)
        start, stop, asked = (float(calls[c][i]) for c in ("started_s", "ended_s", "requested_s"))
        never_ran = int(calls["status"][i]) == STATUS_CANCELLED_QUEUED  # its started_s is meaningless
        queued_until = stop if never_ran else start
        if queued_until > asked:  # waited for a concurrency slot
            ax.barh(y[i], queued_until - asked, left=asked, height=0.3, color="white",
                    edgecolor=COLORS["cancelled"] if never_ran else "#888888", hatch="...", linewidth=0.5)
            used.add("queued")
        if never_ran:
            continue
        ax.barh(y[i], max(stop - start, 0.0), left=start, height=0.7, color=COLORS[cat], edgecolor="black",
                linewidth=0.5, hatch="//" if cat == "cancelled" else None)
        text = f"s{int(calls['step'][i])}" + (f".{int(calls['call_index'][i])}" if multi[int(agent[i])] else "")
        if (stop - start) > 0.035 * end:
            ax.text((start + stop) / 2, y[i], text, ha="center", va="center", fontsize=6.5)

    top = t_rows + 0.3 + 0.5
    if rounds is not None:
        for i in range(len(rounds)):
            start = float(rounds["start_s"][i])
            ax.axvline(start, color="#555555", linestyle=":", linewidth=0.8, zorder=0)
            ax.plot([start], [top], marker="v", color="black", markersize=6, clip_on=False)
            ax.annotate(f"r{int(rounds['round'][i])} k={int(rounds['k'][i])}", (start, top), xytext=(3, 2),
                        textcoords="offset points", fontsize=7)
        end = max(end, float(np.nanmax(rounds["end_s"])))
    ax.set_ylim(-0.6, top + 0.5)
    ax.set_xlim(0, end * 1.02)
    ax.set_yticks([t_rows + 0.3] + [t_rows - 1 - j for j in range(t_rows)])
    ax.set_yticklabels(["A"] + ([f"T pos {j}" for j in range(t_rows)] if t_rows > 1 else ["T"]))
    ax.set_xlabel("time since episode start (s)")
    ax.grid(True, axis="x", alpha=0.3)

    handles = [Patch(facecolor=COLORS[c], edgecolor="black", hatch="//" if c == "cancelled" else None, label=c)
               for c in COLORS if c in used]
    if "queued" in used:
        handles.append(Patch(facecolor="white", edgecolor="#888888", hatch="...", label="queued"))
    if rounds is not None:
        handles.append(Line2D([], [], marker="v", color="black", linestyle="none", label="round start"))
    ax.legend(handles=handles, fontsize=7, loc="upper left", bbox_to_anchor=(1.005, 1.0))
    committed = calls.select((calls["role"] == 1) & (agent == AGENT_TARGET))
    steps = len(set(committed["step"].tolist()))
    n_rounds = len(rounds) if rounds is not None else len(set(calls["round"].tolist()))
    style.title(ax, f"{run.name}: {label}, episode {episode} ({steps} steps in {n_rounds} rounds)", options)
    return fig
