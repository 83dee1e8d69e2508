#pragma once
// A recorded trace: what the target (T) and the approximation (A) agents did on each committed
// step of a task, enough to replay the task under any speculation policy. The JSON Lines format
// is documented in docs/traces.md; this is its in-memory form.
#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/time.hpp"

namespace specsim::models::trace {

// The agent's stop action. A target step with this action ends the episode, so it may only be the
// last step of a task (the reader rejects it elsewhere). Approximation guesses may be anything.
inline constexpr std::string_view kTerminateAction = "TERMINATE";

// Whether an action is the stop action, in any case (DSP compares `action.lower() == 'terminate'`).
inline bool is_terminate(std::string_view action) {
  if (action.size() != kTerminateAction.size()) return false;
  for (std::size_t i = 0; i < action.size(); ++i)
    if ((action[i] & ~0x20) != kTerminateAction[i]) return false;
  return true;
}

// Latencies are stored at nanosecond resolution and bounded so that the decimal seconds written to
// a file read back to the same nanosecond (see trace_writer.cpp).
inline constexpr double kMaxLatencySeconds = 1e6;

// One LLM call.
struct Call {
  sim::Time latency;
  std::int64_t input_tokens = 0;
  std::int64_t output_tokens = 0;
  // API attempts this call took: recorded runs retry failed requests, and the recorded latency
  // covers all of them. 1 (the default) is left out of the file.
  std::int64_t attempts = 1;

  bool operator==(const Call&) const = default;
};

// What one agent did for one step: its action and the calls that produced it (a ReAct target
// takes two, thought then action; a direct approximation takes one).
struct AgentStep {
  // Empty is allowed for the approximation only: it gave no usable guess (never matches).
  std::string action;
  std::vector<Call> calls;
  // The approximation's further candidates for the step, best first after `action` (top-K
  // guesses, sim/speculation_tree.hpp); empty for the target and for a single guess.
  std::vector<std::string> alternatives{};  // initialised: aggregates that omit it stay warning-free

  sim::Time latency() const;  // the calls run one after another
  std::int64_t input_tokens() const;
  std::int64_t output_tokens() const;

  bool operator==(const AgentStep&) const = default;
};

// The environment call (a tool or API) that the step's action made, after the action was chosen.
struct EnvironmentStep {
  std::string tool;
  sim::Time latency;
  double price_usd = 0;
  bool side_effect_free = false;  // may run ahead on a guess (docs/DESIGN.md, "Environment actions")

  bool operator==(const EnvironmentStep&) const = default;
};

struct Step {
  AgentStep target;
  // Absent when A never guessed this step on the committed path.
  std::optional<AgentStep> approx;
  // The recorded verdict. When present it wins over any match rule of the simulator.
  std::optional<bool> match;
  // A's confidence in its guess, a probability (recorded `confidence`, or exp(`logprob`));
  // absent when not recorded. Only with a guess.
  std::optional<double> confidence;
  // The tool T's action called, when it called one.
  std::optional<EnvironmentStep> env;

  bool operator==(const Step&) const = default;
};

// A round of the recorded run, to replay it as it happened.
struct Round {
  std::int64_t start_step = 0;  // 0-based index into Task::steps
  std::int64_t k = 1;           // speculation depth the run used, >= 1
  // The predictor's raw output, when recorded: DSP's predictor may say 0, which runs as k = 1.
  std::optional<std::int64_t> predicted_k;
  std::optional<sim::Time> predictor_latency;

  bool operator==(const Round&) const = default;
};

// End-to-end wall time of the recorded run, and of its target-alone baseline.
struct Measured {
  std::optional<sim::Time> latency;
  std::optional<sim::Time> sequential;

  bool operator==(const Measured&) const = default;
};

// One epoch of a training job of the recorded run's predictor (DSP's train_*.log).
struct TrainingEpoch {
  sim::Time at;           // when it was logged, after the start of the task's run (may be after its end)
  double loss = 0;        // the batch's loss before the epoch's step
  double accuracy = 0;    // the predictor's accuracy on the batch, a fraction (ideal k or one more)
  std::optional<std::int64_t> trajectories;  // trajectories in the batch, when the log lists them

  bool operator==(const TrainingEpoch&) const = default;
};

// A training job the task's rounds triggered, its epochs in order.
struct TrainingJob {
  std::vector<TrainingEpoch> epochs;

  bool operator==(const TrainingJob&) const = default;
};

struct Task {
  std::string task_id;
  std::string task;
  std::vector<double> features;  // empty: none recorded
  std::vector<Step> steps;
  std::vector<Round> rounds;  // empty: none recorded
  std::optional<Measured> measured;
  std::vector<TrainingJob> training;  // empty: none recorded
  nlohmann::json source;  // free-form provenance object; null: none

  bool operator==(const Task&) const = default;
};

struct Trace {
  std::string file;  // where it was read from or last written to; not part of its value
  std::vector<Task> tasks;

  // Two traces are equal when their tasks are, wherever they are stored.
  bool operator==(const Trace& other) const { return tasks == other.tasks; }
};

// Whether the step's recorded outcome is a match: the recorded verdict when there is one, else
// exact equality of the two actions, else (no guess) nullopt.
std::optional<bool> recorded_match(const Step& step);

// The recording session a task came from: its id up to the last '/' (DSP's imported runs are
// "folder/datapoint"; a folder is one process, one API session). Empty for other ids.
std::string recording_session(const Task& task);

}  // namespace specsim::models::trace
