#pragma once
// Speculative Actions' published logs (naimengye/speculative-action) as traces with top-K guesses.
//
// HotpotQA: turns the published runs (naimengye/speculative-action,
// hotpotqa/run_metrics/agent_<T>_top<K>/trajs_<A>/<question>/) into a trace with top-K guesses:
// per run folder, T's actions (normalobs.json) and A's candidates for each step, best first
// (simobs.json). The logs time the environment's calls (Wikipedia), not the LLM calls, so the
// trace's calls carry no timings (0 s, 0 tokens): replay it with `latency: agents`
// (docs/traces.md §12).
#include <string>
#include <vector>

#include "models/trace/trace.hpp"

namespace specsim::models::trace {

struct SpecActionsImport {
  Trace trace;                        // one task per run folder, in path order
  std::vector<std::string> warnings;  // "folder: what"
};

// Every folder under `root` (itself included) holding normalobs.json and simobs.json. Task ids are
// the folders relative to root. Throws sim::InputError naming the file and field for a file that
// is not the logs' JSON; a folder without either file is not a run.
SpecActionsImport import_specactions_hotpotqa(const std::string& root);

// Chess (chess-game/trajectories/<game>/steps_info_<model>_guess_<K>.json, both players T, the
// speculator A guessing each move): one task per game folder, from its file with the most
// guesses per move. Step s is move "s": T's move (`current_move`) and call
// (`time_taken_current_agent`, its tokens), A's ranked guesses (`guessed_moves`) and its one call
// that returned them all (`guess_prediction_time`, `guess_*_tokens`). Throws sim::InputError naming
// the file and field for a file that is not such a log; a folder without one is not a game.
SpecActionsImport import_specactions_chess(const std::string& root);

}  // namespace specsim::models::trace
