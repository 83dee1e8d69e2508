#include "models/trace/text_features.hpp"

#include "sim/random.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace specsim::models::trace {

namespace {

bool is_word_byte(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c >= 0x80;
}

void add_item(std::string_view item, double weight, std::span<double> block) {
  const std::uint64_t h = fnv1a64(item);
  const double sign = (h >> 63) != 0 ? -1.0 : 1.0;
  block[static_cast<std::size_t>(h % block.size())] += sign * weight;
}

// Adds (weight +1) or removes (weight -1) the items of a text.
void add_text(std::string_view text, int ngrams, double weight, std::span<double> block) {
  const std::vector<std::string> words = tokenize(text);
  for (std::size_t i = 0; i < words.size(); ++i) {
    add_item(words[i], weight, block);
    if (ngrams >= 2 && i + 1 < words.size()) add_item(words[i] + " " + words[i + 1], weight, block);
  }
}

void check_config(const TextFeatureConfig& c) {
  if (c.dim < 2 || c.dim > TextFeatureConfig::kMaxDim || c.ngrams < 1 || c.ngrams > 2 || c.task_block() < 1 ||
      c.history_block() < 1 || c.history_window < 0)
    throw std::invalid_argument("invalid text feature configuration");
}

}  // namespace

std::uint64_t fnv1a64(std::string_view bytes) { return sim::hash_name(bytes); }

std::vector<std::string> tokenize(std::string_view text) {
  std::vector<std::string> words;
  std::string word;
  for (char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (is_word_byte(c)) {
      word.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : ch);
    } else if (!word.empty()) {
      words.push_back(std::move(word));
      word.clear();
    }
  }
  if (!word.empty()) words.push_back(std::move(word));
  return words;
}

void add_hashed_text(std::string_view text, int ngrams, std::span<double> block) {
  if (block.empty()) throw std::invalid_argument("add_hashed_text: empty block");
  add_text(text, ngrams, 1.0, block);
}

void l2_normalize(std::span<double> block) {
  double sum = 0;
  for (double v : block) sum += v * v;
  if (sum == 0) return;
  const double scale = 1.0 / std::sqrt(sum);
  for (double& v : block) v *= scale;
}

void hash_text_features(std::string_view task, std::span<const std::string> history, const TextFeatureConfig& config,
                        std::span<double> out) {
  check_config(config);
  if (out.size() != static_cast<std::size_t>(config.dim))
    throw std::invalid_argument("hash_text_features: output has " + std::to_string(out.size()) + " values, expected " +
                                std::to_string(config.dim));
  std::fill(out.begin(), out.end(), 0.0);
  const auto task_size = static_cast<std::size_t>(config.task_block());
  const std::span<double> task_block = out.first(task_size);
  const std::span<double> history_block = out.subspan(task_size);
  add_text(task, config.ngrams, 1.0, task_block);
  std::size_t first = 0;
  if (config.history_window > 0 && history.size() > static_cast<std::size_t>(config.history_window))
    first = history.size() - static_cast<std::size_t>(config.history_window);
  for (std::size_t i = first; i < history.size(); ++i) add_text(history[i], config.ngrams, 1.0, history_block);
  l2_normalize(task_block);
  l2_normalize(history_block);
}

std::vector<double> task_text_features(const Task& task, const TextFeatureConfig& config) {
  check_config(config);
  const auto dim = static_cast<std::size_t>(config.dim);
  const auto task_size = static_cast<std::size_t>(config.task_block());
  std::vector<double> task_block(task_size, 0.0), history_raw(dim - task_size, 0.0);
  add_text(task.task, config.ngrams, 1.0, task_block);
  l2_normalize(task_block);

  std::vector<double> out(task.steps.size() * dim, 0.0);
  for (std::size_t s = 0; s < task.steps.size(); ++s) {
    // History of step s: actions of steps < s (the last history_window of them). Counts are small
    // integers, so adding and removing them is exact.
    if (s > 0) {
      add_text(task.steps[s - 1].target.action, config.ngrams, 1.0, history_raw);
      const auto window = static_cast<std::size_t>(config.history_window);
      if (window > 0 && s > window) add_text(task.steps[s - 1 - window].target.action, config.ngrams, -1.0, history_raw);
    }
    const std::span<double> row(out.data() + s * dim, dim);
    std::copy(task_block.begin(), task_block.end(), row.begin());
    std::copy(history_raw.begin(), history_raw.end(), row.begin() + static_cast<std::ptrdiff_t>(task_size));
    l2_normalize(row.subspan(task_size));
  }
  return out;
}

TextFeatureConfig decode_text_feature_config(const sim::ConfigNode& node) {
  TextFeatureConfig c;
  if (node.is_null()) return c;
  node.expect_keys({"dim", "ngrams", "task_dim", "history_window"});
  if (auto n = node.find("dim")) {
    const long long v = n->as<long long>();
    if (v < 2 || v > TextFeatureConfig::kMaxDim)
      n->fail("must be between 2 and " + std::to_string(TextFeatureConfig::kMaxDim) + ", got " + std::to_string(v));
    c.dim = static_cast<int>(v);
  }
  if (auto n = node.find("ngrams")) {
    const long long v = n->as<long long>();
    if (v != 1 && v != 2) n->fail("must be 1 (words) or 2 (words and bigrams), got " + std::to_string(v));
    c.ngrams = static_cast<int>(v);
  }
  if (auto n = node.find("task_dim")) {
    const long long v = n->as<long long>();
    if (v < 1 || v > c.dim - 1) n->fail("must be between 1 and dim - 1 = " + std::to_string(c.dim - 1) + ", got " + std::to_string(v));
    c.task_dim = static_cast<int>(v);
  }
  if (auto n = node.find("history_window")) {
    const long long v = n->as<long long>();
    if (v < 0) n->fail("must be >= 0 (0: all earlier actions), got " + std::to_string(v));
    c.history_window = static_cast<int>(std::min<long long>(v, 1'000'000'000));
  }
  return c;
}

}  // namespace specsim::models::trace
