#include "analysis/result_rows.hpp"

namespace specsim::analysis {

std::vector<CallRow> call_rows(const sim::EpisodeRun& run, const models::Agents& agents, models::Billing billing) {
  std::vector<CallRow> rows;
  rows.reserve(run.calls.size());
  for (const sim::CallRecord& c : run.calls) {
    const sim::CallTokens billed = models::billed_tokens(c, billing);
    rows.push_back(CallRow{run.episode, c.round, c.pos, c.step, c.call_index,
                           static_cast<std::uint8_t>(c.agent), static_cast<std::uint8_t>(c.status),
                           static_cast<std::uint8_t>(c.role), static_cast<std::uint8_t>(c.on_path),
                           c.requested.seconds(), c.started.seconds(), c.ended.seconds(),
                           c.tokens.input, c.tokens.output, billed.input, billed.output,
                           c.agent == sim::Agent::environment
                               ? models::environment_cost(c)
                               : agents[static_cast<std::size_t>(sim::index(c.agent))].cost(c, billed)});
  }
  return rows;
}

std::vector<RoundRow> round_rows(const sim::EpisodeRun& run) {
  std::vector<RoundRow> rows;
  rows.reserve(run.rounds.size());
  for (const sim::RoundRecord& r : run.rounds)
    rows.push_back(RoundRow{run.episode, r.round, r.start_step, r.k, r.committed, r.mismatch,
                            r.start.seconds(), r.end.seconds()});
  return rows;
}

}  // namespace specsim::analysis
