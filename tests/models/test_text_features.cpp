// Hashed text features: FNV-1a known answers, tokenisation, pinned vectors for a short text,
// dimensions, per-block normalisation, signed hashing, bigrams, the history window, the per-task
// precomputation and the YAML block.
#include <catch2/catch.hpp>

#include "support/input_error.hpp"

#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "models/trace/text_features.hpp"
#include "sim/config_node.hpp"

using namespace specsim::models::trace;
using specsim::sim::ConfigNode;
using specsim::sim::InputError;

namespace {

std::vector<double> features(const std::string& task, const std::vector<std::string>& history, TextFeatureConfig c) {
  std::vector<double> out(static_cast<std::size_t>(c.dim), 99.0);
  hash_text_features(task, history, c, out);
  return out;
}

double norm(const std::vector<double>& v, std::size_t from, std::size_t to) {
  double s = 0;
  for (std::size_t i = from; i < to; ++i) s += v[i] * v[i];
  return std::sqrt(s);
}

TextFeatureConfig config(int dim, int ngrams = 1) {
  TextFeatureConfig c;
  c.dim = dim;
  c.ngrams = ngrams;
  return c;
}

TextFeatureConfig decode(const std::string& yaml) {
  return decode_text_feature_config(ConfigNode::load_string(yaml, "f.yaml").at("text_features"));
}

std::string decode_error(const std::string& yaml) {
  return specsim::testing::input_error_of([&] { decode(yaml); });
}

Task task_with_actions(const std::string& text, const std::vector<std::string>& actions) {
  Task t;
  t.task_id = "t";
  t.task = text;
  for (const auto& a : actions) {
    Step s;
    s.target.action = a;
    t.steps.push_back(s);
  }
  return t;
}

}  // namespace

TEST_CASE("fnv1a64 known answers", "[trace][text_features]") {
  CHECK(fnv1a64("") == 14695981039346656037ull);
  CHECK(fnv1a64("a") == 0xaf63dc4c8601ec8cull);
  CHECK(fnv1a64("foobar") == 0x85944171f73967e8ull);
}

TEST_CASE("tokenize: lowercase words split at non-alphanumerics", "[trace][text_features]") {
  using V = std::vector<std::string>;
  CHECK(tokenize("Image-Deblurring, x2!") == V{"image", "deblurring", "x2"});
  CHECK(tokenize("  Given BLURRY image\tstep_by_step ") == V{"given", "blurry", "image", "step", "by", "step"});
  CHECK(tokenize("Caf\xC3\xA9 au lait") == V{"caf\xC3\xA9", "au", "lait"});  // UTF-8 words stay whole
  CHECK(tokenize("...").empty());
  CHECK(tokenize("").empty());
}

TEST_CASE("pinned features of a short text", "[trace][text_features]") {
  // dim 8: task block 0-3, history block 4-7. Words hash (h mod 4, sign of bit 63) to:
  // given (2, +), blurry (1, +), image (2, +), deblurring (1, -); bigrams: "given blurry" (2, +),
  // "blurry image" (0, -), "image deblurring" (2, -).
  const double r5 = 1 / std::sqrt(5.0), r2 = 1 / std::sqrt(2.0), r11 = 1 / std::sqrt(11.0);
  const auto words = features("Given blurry image", {"Image Deblurring"}, config(8, 1));
  const std::vector<double> expected_words{0, r5, 2 * r5, 0, 0, -r2, r2, 0};
  REQUIRE(words.size() == 8);
  for (std::size_t i = 0; i < 8; ++i) CHECK(words[i] == Approx(expected_words[i]).margin(1e-15));

  // With bigrams: task [-1, 1, 3, 0] / sqrt(11); history: +1 -1 at index 2 cancel, leaving [0, -1, 0, 0].
  const auto bigrams = features("Given blurry image", {"Image Deblurring"}, config(8, 2));
  const std::vector<double> expected_bigrams{-r11, r11, 3 * r11, 0, 0, -1, 0, 0};
  for (std::size_t i = 0; i < 8; ++i) CHECK(bigrams[i] == Approx(expected_bigrams[i]).margin(1e-15));

  // Deterministic: the same call gives the same bits.
  CHECK(features("Given blurry image", {"Image Deblurring"}, config(8, 2)) == bigrams);
}

TEST_CASE("dimension and block sizes", "[trace][text_features]") {
  const auto v = features("a task", {"x", "y"}, config(64));
  CHECK(v.size() == 64);
  TextFeatureConfig c = config(10);
  CHECK(c.task_block() == 5);
  CHECK(c.history_block() == 5);
  c.task_dim = 7;
  CHECK(c.history_block() == 3);
  const auto w = features("one two three four five six", {"alpha beta"}, c);
  CHECK(norm(w, 0, 7) == Approx(1.0).epsilon(1e-12));
  CHECK(norm(w, 7, 10) == Approx(1.0).epsilon(1e-12));

  std::vector<double> wrong(63);
  CHECK_THROWS_AS(hash_text_features("a", {}, config(64), wrong), std::invalid_argument);
  std::vector<double> ok(1);
  CHECK_THROWS_AS(hash_text_features("a", {}, config(1), ok), std::invalid_argument);
}

TEST_CASE("each block has unit norm, or is all zeros without tokens", "[trace][text_features]") {
  const TextFeatureConfig c = config(64, 2);
  const auto v = features("Given low-resolution noisy blurry grayscale image, how to return the object names?",
                          {"Image Super-Resolution", "Image Denoising", "Image Deblurring"}, c);
  CHECK(norm(v, 0, 32) == Approx(1.0).epsilon(1e-12));
  CHECK(norm(v, 32, 64) == Approx(1.0).epsilon(1e-12));

  const auto empty_history = features("Summarize", {}, c);
  CHECK(norm(empty_history, 0, 32) == Approx(1.0).epsilon(1e-12));
  CHECK(norm(empty_history, 32, 64) == 0.0);  // and not 99: the output is overwritten

  const auto nothing = features("?!", {"...", ""}, c);
  CHECK(nothing == std::vector<double>(64, 0.0));
}

TEST_CASE("signed hashing: the sign is bit 63 of the hash", "[trace][text_features]") {
  const TextFeatureConfig c = config(64);
  bool seen_negative = false, seen_positive = false;
  for (const std::string word : {"given", "blurry", "image", "deblurring", "terminate", "caption", "mask", "text"}) {
    const std::uint64_t h = fnv1a64(word);
    const auto v = features(word, {}, c);
    const double expected = (h >> 63) != 0 ? -1.0 : 1.0;
    CHECK(v[h % 32] == expected);  // one word: a single +-1 in the task block
    seen_negative = seen_negative || expected < 0;
    seen_positive = seen_positive || expected > 0;
  }
  CHECK(seen_negative);  // both signs occur
  CHECK(seen_positive);
}

TEST_CASE("different texts give different vectors", "[trace][text_features]") {
  const TextFeatureConfig c = config(64);
  CHECK(features("Given blurry image", {}, c) != features("Given noisy image", {}, c));
  CHECK(features("Given blurry image", {"Image Deblurring"}, c) != features("Given blurry image", {"Colorization"}, c));
  // The task and the history land in different blocks.
  CHECK(features("image", {}, c) != features("", {"image"}, c));
  // Case and punctuation do not matter.
  CHECK(features("Given, BLURRY image!", {}, c) == features("given blurry image", {}, c));
}

TEST_CASE("bigrams on and off", "[trace][text_features]") {
  const TextFeatureConfig words = config(64, 1), bigrams = config(64, 2);
  // Word order only matters with bigrams.
  CHECK(features("blurry image", {}, words) == features("image blurry", {}, words));
  CHECK(features("blurry image", {}, bigrams) != features("image blurry", {}, bigrams));
  CHECK(features("blurry image", {}, words) != features("blurry image", {}, bigrams));
  // A single word has no bigram.
  CHECK(features("image", {"deblurring"}, words) == features("image", {"deblurring"}, bigrams));
  // No bigram across two actions of the history: {"a", "b"} differs from {"a b"}.
  CHECK(features("", {"blurry", "image"}, bigrams) != features("", {"blurry image"}, bigrams));
  CHECK(features("", {"blurry", "image"}, words) == features("", {"blurry image"}, words));
}

TEST_CASE("history window keeps the last n actions", "[trace][text_features]") {
  TextFeatureConfig c = config(64);
  c.history_window = 1;
  CHECK(features("t", {"Image Deblurring", "Colorization"}, c) == features("t", {"Colorization"}, c));
  c.history_window = 0;
  CHECK(features("t", {"Image Deblurring", "Colorization"}, c) != features("t", {"Colorization"}, c));
}

TEST_CASE("task_text_features: one row per step, history = earlier target actions", "[trace][text_features]") {
  const Task task = task_with_actions("Given blurry grayscale image",
                                      {"Image Deblurring", "Colorization", "Image Deblurring", "TERMINATE"});
  for (int window : {0, 2}) {
    for (int ngrams : {1, 2}) {
      TextFeatureConfig c = config(16, ngrams);
      c.history_window = window;
      const std::vector<double> rows = task_text_features(task, c);
      REQUIRE(rows.size() == 4 * 16);
      std::vector<std::string> history;
      for (std::size_t s = 0; s < 4; ++s) {
        const auto expected = features(task.task, history, c);
        for (std::size_t i = 0; i < 16; ++i) CHECK(rows[s * 16 + i] == Approx(expected[i]).margin(1e-15));
        history.push_back(task.steps[s].target.action);
      }
      for (std::size_t i = 8; i < 16; ++i) CHECK(rows[i] == 0.0);  // step 0 has no history
    }
  }
}

TEST_CASE("decode_text_feature_config", "[trace][text_features]") {
  CHECK(decode("text_features: {}\n") == TextFeatureConfig{});
  CHECK(decode("text_features:\n") == TextFeatureConfig{});
  const TextFeatureConfig c = decode("text_features: {dim: 128, ngrams: 2, task_dim: 96, history_window: 3}\n");
  CHECK(c.dim == 128);
  CHECK(c.ngrams == 2);
  CHECK(c.task_block() == 96);
  CHECK(c.history_block() == 32);
  CHECK(c.history_window == 3);
  CHECK(decode("text_features: {dim: 64, ngrams: 2}\n").task_block() == 32);

  CHECK(decode_error("text_features: {dim: 1}\n") == "f.yaml:1:22: text_features.dim: must be between 2 and 65536, got 1");
  CHECK(decode_error("text_features: {dim: 1000000}\n") ==
        "f.yaml:1:22: text_features.dim: must be between 2 and 65536, got 1000000");
  CHECK(decode_error("text_features: {ngrams: 3}\n") ==
        "f.yaml:1:25: text_features.ngrams: must be 1 (words) or 2 (words and bigrams), got 3");
  CHECK(decode_error("text_features: {dim: 8, task_dim: 8}\n") ==
        "f.yaml:1:35: text_features.task_dim: must be between 1 and dim - 1 = 7, got 8");
  CHECK(decode_error("text_features: {history_window: -1}\n") ==
        "f.yaml:1:33: text_features.history_window: must be >= 0 (0: all earlier actions), got -1");
  CHECK(decode_error("text_features: {dims: 8}\n") ==
        "f.yaml:1:17: text_features.dims: unknown key (expected one of: dim, ngrams, task_dim, history_window)");
  CHECK(decode_error("text_features: 64\n") == "f.yaml:1:16: text_features: expected a mapping (key: value)");
}
