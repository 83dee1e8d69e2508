#pragma once
// Random streams named by (master seed, stream name, index). A stream's draws depend only on
// that triple, never on construction order, thread or policy: every policy sees the same world
// for episode i (common random numbers), and adding a stream shifts no other stream.
// Engines and distributions are Boost.Random's, whose output is specified across platforms
// (std:: distributions differ between standard libraries).
#include <boost/random/beta_distribution.hpp>
#include <boost/random/mersenne_twister.hpp>
#include <boost/random/normal_distribution.hpp>
#include <boost/random/uniform_01.hpp>
#include <boost/random/uniform_int_distribution.hpp>
#include <cstdint>
#include <optional>
#include <string_view>

namespace specsim::sim {

// SplitMix64's finaliser: a bijection that spreads every input bit over the output.
constexpr std::uint64_t mix64(std::uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// FNV-1a: a stable hash of a stream name (std::hash may differ between libraries).
constexpr std::uint64_t hash_name(std::string_view name) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : name) h = (h ^ c) * 0x100000001b3ULL;
  return h;
}

constexpr std::uint64_t derive_seed(std::uint64_t master, std::string_view stream,
                                    std::uint64_t index) {
  return mix64(mix64(mix64(master) ^ hash_name(stream)) + 0x9e3779b97f4a7c15ULL * (index + 1));
}

// The engine is seeded on the first draw: a stream that is named but never drawn from (say, the
// off-path draws of an episode whose models have no noise) costs nothing.
class RandomStream {
 public:
  using Engine = boost::random::mt19937_64;

  RandomStream(std::uint64_t master, std::string_view stream, std::uint64_t index)
      : seed_(derive_seed(master, stream, index)) {}

  Engine& engine() {
    if (!engine_) engine_.emplace(seed_);
    return *engine_;
  }
  double uniform() { return boost::random::uniform_01<double>()(engine()); }
  bool bernoulli(double p) { return uniform() < p; }
  double normal() { return boost::random::normal_distribution<double>()(engine()); }
  std::int64_t uniform_int(std::int64_t lo, std::int64_t hi) {
    return boost::random::uniform_int_distribution<std::int64_t>(lo, hi)(engine());
  }
  double beta(double a, double b) { return boost::random::beta_distribution<double>(a, b)(engine()); }

 private:
  std::uint64_t seed_;
  std::optional<Engine> engine_;
};

}  // namespace specsim::sim
