#include "models/served_endpoint.hpp"

#include <algorithm>
#include <cmath>

namespace specsim::models {

namespace {
// As for isolated calls (latency.cpp): a phase lasts at most 1e7 s rather than overflowing time.
sim::Time phase_time(double tokens, double rate) { return sim::Time::from_seconds(std::min(tokens / rate, 1e7)); }
}  // namespace

std::uint64_t ServedEndpoint::start(Client& client, std::uint64_t tag, std::int32_t input, std::int32_t output) {
  advance();
  const std::uint64_t id = next_id_++;
  Request r{};
  r.client = &client;
  r.tag = tag;
  r.remaining = input;
  r.output = output;
  requests_.emplace(id, r);
  ++active_;
  reschedule();
  return id;
}

std::int32_t ServedEndpoint::cancel(std::uint64_t id) {
  const auto it = requests_.find(id);
  if (it == requests_.end()) return 0;
  if (it->second.done) {  // ended at this instant, not yet told: it wrote everything
    const std::int32_t output = it->second.output;
    requests_.erase(it);
    return output;
  }
  advance();
  const Request& r = it->second;
  const std::int32_t written =
      r.decoding ? std::clamp(static_cast<std::int32_t>(r.output - std::ceil(r.remaining)), 0, r.output) : 0;
  requests_.erase(it);
  --active_;
  reschedule();
  return written;
}

void ServedEndpoint::on_event(std::uint64_t) {
  next_ = {};
  advance();
  const sim::Time now = clock_.now();
  std::vector<std::uint64_t> ended, decoding;
  for (auto& [id, r] : requests_) {
    if (r.done || r.due > now) continue;
    if (!r.decoding) {
      decoding.push_back(id);
      r.decoding = true;
      r.first_token = now;
      r.remaining = r.output;
      r.rate = 0;  // a new phase: its end is computed afresh
    } else {
      r.done = true;
      --active_;
      ended.push_back(id);
    }
  }
  reschedule();
  // Told after the state is settled: a client may start or cancel requests from its callbacks.
  for (const std::uint64_t id : decoding) {
    const auto it = requests_.find(id);
    if (it != requests_.end()) it->second.client->first_token(it->second.tag);
  }
  for (const std::uint64_t id : ended) {
    const auto it = requests_.find(id);
    if (it == requests_.end()) continue;  // cancelled by an earlier client's served()
    const Request r = it->second;
    requests_.erase(it);
    r.client->served(r.tag, r.first_token);
  }
}

double ServedEndpoint::written(std::uint64_t id) const {
  const auto it = requests_.find(id);
  if (it == requests_.end() || !it->second.decoding) return 0;
  const Request& r = it->second;
  const sim::Time now = clock_.now();
  if (r.done || r.due <= now) return r.output;
  return r.output - std::max(0.0, r.remaining - r.rate * (now - updated_).seconds());
}

sim::Time ServedEndpoint::when_written(std::uint64_t id, double tokens) const {
  const auto it = requests_.find(id);
  if (it == requests_.end() || !it->second.decoding || it->second.rate <= 0) return sim::Time::max();
  return std::min(it->second.due, clock_.now() + phase_time(std::max(0.0, tokens - written(id)), it->second.rate));
}

void ServedEndpoint::advance() {
  const sim::Time now = clock_.now();
  if (now > updated_) {
    const double elapsed = (now - updated_).seconds();
    for (auto& [id, r] : requests_)
      if (!r.done) r.remaining = r.due <= now ? 0.0 : std::max(0.0, r.remaining - r.rate * elapsed);
  }
  updated_ = now;
}

void ServedEndpoint::reschedule() {
  clock_.cancel(next_);
  next_ = {};
  if (active_ == 0) return;
  const ServingRates rates = profile_.at(active_);
  const sim::Time now = clock_.now();
  sim::Time first = sim::Time::max();
  for (auto& [id, r] : requests_) {
    if (r.done) continue;
    const double rate = r.decoding ? rates.decode_tps : rates.prefill_tps;
    if (rate != r.rate) {
      r.rate = rate;
      r.due = now + phase_time(r.remaining, rate);
    }
    first = std::min(first, r.due);
  }
  next_ = clock_.schedule(first, this, 0);
}

ServedEndpoints::ServedEndpoints(const Agents& agents, sim::Clock& clock) {
  for (std::size_t a = 0; a < agents.size(); ++a)
    if (agents[a].latency.kind == LatencyModel::Kind::served)
      endpoints_[a] = std::make_unique<ServedEndpoint>(agents[a].latency.profile, clock);
}

}  // namespace specsim::models
