#pragma once
// Results flow out of a run through observers (sinks): the summary, the HDF5 file, the JSON
// and CSV summaries, the console table, a trace recorder. A runner calls them on one thread, in
// a fixed order (episode by episode, and within an episode lane by lane, each episode's calls
// and rounds before the episode itself), so every sink sees the same sequence for any number of
// threads. ObserverFanout passes each event to several sinks in the order they were added.
#include <cstdint>
#include <string>
#include <vector>

#include "sim/planner.hpp"

namespace specsim::sim {

struct LaneInfo {
  std::string label, kind, config;  // config: the policy's entry as YAML
  bool hidden = false;              // the sequential baseline added for pairing, not reported
};

struct RunInfo {
  std::string name;
  std::uint64_t seed = 0;
  std::int64_t episodes = 0;
  std::vector<LaneInfo> lanes;
  std::size_t baseline = 0;  // the lane every other is paired with
};

class RunObserver {
 public:
  virtual ~RunObserver() = default;
  virtual void on_run_start(const RunInfo& /*run*/) {}
  virtual void on_call(std::size_t /*lane*/, const EpisodeRun& /*episode*/, const CallRecord& /*call*/) {}
  virtual void on_round(std::size_t /*lane*/, const EpisodeRun& /*episode*/, const RoundRecord& /*round*/) {}
  virtual void on_episode(std::size_t /*lane*/, const EpisodeRun& /*episode*/) {}
  virtual void on_run_end() {}
};

class ObserverFanout final : public RunObserver {
 public:
  void add(RunObserver& sink) { sinks_.push_back(&sink); }
  void on_run_start(const RunInfo& run) override {
    for (auto* s : sinks_) s->on_run_start(run);
  }
  void on_call(std::size_t lane, const EpisodeRun& e, const CallRecord& c) override {
    for (auto* s : sinks_) s->on_call(lane, e, c);
  }
  void on_round(std::size_t lane, const EpisodeRun& e, const RoundRecord& r) override {
    for (auto* s : sinks_) s->on_round(lane, e, r);
  }
  void on_episode(std::size_t lane, const EpisodeRun& e) override {
    for (auto* s : sinks_) s->on_episode(lane, e);
  }
  void on_run_end() override {
    for (auto* s : sinks_) s->on_run_end();
  }
  // The whole record of one episode: its calls, its rounds, then the episode.
  void deliver(std::size_t lane, const EpisodeRun& e) {
    for (const auto& c : e.calls) on_call(lane, e, c);
    for (const auto& r : e.rounds) on_round(lane, e, r);
    on_episode(lane, e);
  }

 private:
  std::vector<RunObserver*> sinks_;
};

}  // namespace specsim::sim
