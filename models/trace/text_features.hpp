#pragma once
// Text features of recorded traces: the task text and the history of committed actions, turned
// into a fixed-length vector by signed feature hashing (docs/traces.md, "Text features").
//
//   text_features: {dim: 64, ngrams: 2}
//
// The vector is two blocks: [task block | history block]. Each block is a hashed bag of words
// (plus word bigrams with ngrams: 2) of its text, L2-normalised on its own (all zeros when its text
// has no token). Hashes are FNV-1a 64 (never std::hash), so features are identical on every
// platform, compiler and run.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "models/trace/trace.hpp"
#include "sim/config_node.hpp"

namespace specsim::models::trace {

struct TextFeatureConfig {
  static constexpr int kMaxDim = 1 << 16;

  int dim = 64;       // total length, >= 2, <= kMaxDim
  int ngrams = 1;     // 1: words; 2: words and word bigrams
  int task_dim = 0;   // length of the task block; 0: dim / 2. The history block gets the rest.
  int history_window = 0;  // 0: every earlier action; n: the last n only

  int task_block() const { return task_dim > 0 ? task_dim : dim / 2; }
  int history_block() const { return dim - task_block(); }
  bool operator==(const TextFeatureConfig&) const = default;
};

// `{dim: 64, ngrams: 2, task_dim: 32, history_window: 0}`, every key optional. Range errors name
// file, line and field; dim is capped at kMaxDim.
TextFeatureConfig decode_text_feature_config(const sim::ConfigNode& node);

// 64-bit FNV-1a (offset basis 14695981039346656037, prime 1099511628211).
std::uint64_t fnv1a64(std::string_view bytes);

// Lowercased words: maximal runs of ASCII letters, digits and non-ASCII bytes (so UTF-8 words stay
// whole); every other byte separates. "Image-Deblurring, x2!" -> {"image", "deblurring", "x2"}.
std::vector<std::string> tokenize(std::string_view text);

// The hashed items of one text: its words and, with ngrams == 2, "w1 w2" for adjacent words (the
// space cannot occur inside a word, so a bigram never collides with a word by construction).
// Each item adds sign * 1 at index (h mod block.size()), where h = fnv1a64(item) and the sign is
// + when bit 63 of h is 0, - otherwise. Does not normalise.
void add_hashed_text(std::string_view text, int ngrams, std::span<double> block);

// Scales the block to unit L2 norm; leaves an all-zero block as it is.
void l2_normalize(std::span<double> block);

// The features of one decision point: `task` is the task text, `history` the target actions of
// the steps before it (oldest first; history_window keeps the last n). out.size() must be
// config.dim (std::invalid_argument otherwise). Items of different actions are not joined into
// bigrams.
void hash_text_features(std::string_view task, std::span<const std::string> history, const TextFeatureConfig& config,
                        std::span<double> out);

// The same for every step of a task at once (row s: history = target actions of steps < s), in
// one pass: steps.size() rows of config.dim values, row-major. What the replay precomputes.
std::vector<double> task_text_features(const Task& task, const TextFeatureConfig& config);

}  // namespace specsim::models::trace
