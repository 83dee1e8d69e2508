#include "models/live/chunk_scanner.hpp"

#include <array>
#include <bit>
#include <cstdint>
#include <cstring>
#include <utility>

namespace specsim::models::live {

namespace {

// A key against a literal: the length is a constant, so the compiler compares inline rather than
// calling memcmp (a chunk compares about 20 keys).
template <std::size_t N>
bool is(std::string_view key, const char (&word)[N]) {
  return key.size() == N - 1 && std::memcmp(key.data(), word, N - 1) == 0;
}

// The bytes a string holds as they are: printable ASCII but the quote and the backslash.
constexpr std::array<bool, 256> kPlain = [] {
  std::array<bool, 256> t{};
  for (int c = 0x20; c < 0x80; ++c) t[static_cast<std::size_t>(c)] = c != '"' && c != '\\';
  return t;
}();

// The bytes of `w` (little-endian) that are not plain (below 0x20, from 0x80, a quote, a
// backslash) have their high bit set in the result, and the lowest bit set is such a byte (the
// borrows of the usual bit tricks only run on above a byte that matched).
constexpr std::uint64_t special_bytes(std::uint64_t w) {
  constexpr std::uint64_t ones = 0x0101010101010101, highs = 0x8080808080808080;
  const auto below = [](std::uint64_t x, std::uint64_t n) { return (x - ones * n) & ~x & highs; };
  const std::uint64_t quote = w ^ (ones * '"'), backslash = w ^ (ones * '\\');
  return (w & highs) | below(w, 0x20) | below(quote, 1) | below(backslash, 1);
}

// A cursor over the chunk; every reader returns false to decline (malformed or unusual input).
class Scanner {
 public:
  explicit Scanner(std::string_view text) : s_(text) {}

  bool chunk(ScannedChunk& out) {
    bool seen_model = false, seen_choices = false, seen_usage = false;
    const bool ok = object([&](std::string_view key) {
      if (is(key, "model")) return !std::exchange(seen_model, true) && nullable_string(out.model);
      if (is(key, "choices")) return !std::exchange(seen_choices, true) && choices(out);
      if (is(key, "usage")) return !std::exchange(seen_usage, true) && usage(out);
      if (is(key, "error")) return false;
      return skip_value(0);
    });
    skip_ws();
    return ok && seen_choices && i_ == s_.size();
  }

 private:
  static constexpr int kMaxDepth = 64;

  bool choices(ScannedChunk& out) {
    if (!consume('[')) return false;
    skip_ws();
    if (consume(']')) return true;  // the usage chunk's empty list
    out.has_choice = true;
    if (!choice(out)) return false;
    skip_ws();
    return consume(']');  // a second choice: the full reader's
  }

  bool choice(ScannedChunk& out) {
    bool seen_delta = false, seen_finish = false;
    return object([&](std::string_view key) {
      if (is(key, "delta")) return !std::exchange(seen_delta, true) && delta(out);
      if (is(key, "finish_reason")) return !std::exchange(seen_finish, true) && nullable_string(out.finish_reason);
      if (is(key, "logprobs")) return skip_ws(), null();  // log-probabilities: the full reader's
      return skip_value(1);
    });
  }

  bool delta(ScannedChunk& out) {
    skip_ws();
    if (null()) return true;
    bool seen_content = false;
    return object([&](std::string_view key) {
      if (is(key, "content")) return !std::exchange(seen_content, true) && nullable_string(out.content);
      if (is(key, "tool_calls")) return false;
      return skip_value(2);
    });
  }

  // null, or both counts as plain non-negative integers (anything else: the full reader's).
  bool usage(ScannedChunk& out) {
    skip_ws();
    if (null()) return true;
    ScannedUsage u;
    bool seen_prompt = false, seen_completion = false;
    const bool ok = object([&](std::string_view key) {
      if (is(key, "prompt_tokens")) return !std::exchange(seen_prompt, true) && count(u.prompt_tokens);
      if (is(key, "completion_tokens")) return !std::exchange(seen_completion, true) && count(u.completion_tokens);
      return skip_value(1);
    });
    if (!ok || !seen_prompt || !seen_completion) return false;
    out.usage = u;
    return true;
  }

  // Up to 18 digits without a sign, fraction or exponent: what nlohmann reads as an unsigned integer
  // that fits an int64.
  bool count(std::int64_t& out) {
    const std::size_t from = i_;
    if (!digits() || i_ - from > 18) return false;
    if (i_ < s_.size() && (s_[i_] == '.' || s_[i_] == 'e' || s_[i_] == 'E')) return false;
    if (s_[from] == '0' && i_ - from > 1) return false;
    out = 0;
    for (std::size_t k = from; k < i_; ++k) out = out * 10 + (s_[k] - '0');
    return true;
  }

  // `{` (key `:` value `,`)* `}`, calling on_member(key) with the cursor at the value.
  template <class OnMember>
  bool object(OnMember&& on_member) {
    skip_ws();
    if (!consume('{')) return false;
    skip_ws();
    if (consume('}')) return true;
    while (true) {
      skip_ws();
      std::string_view name;
      if (!member_name(name)) return false;
      skip_ws();
      if (!consume(':')) return false;
      skip_ws();
      if (!on_member(name)) return false;
      skip_ws();
      if (consume('}')) return true;
      if (!consume(',')) return false;
    }
  }

  bool nullable_string(std::string& out) {
    skip_ws();
    if (null()) {
      out.clear();
      return true;
    }
    out.clear();
    return string(&out);
  }

  // A string of printable ASCII with the simple escapes (\" \\ \/ \b \f \n \r \t), appended to
  // `out` (nullptr: validated only) a run of plain bytes at a time.
  bool string(std::string* out) {
    if (!consume('"')) return false;
    while (i_ < s_.size()) {
      const std::size_t run = i_;
      skip_plain();
      if (out) out->append(s_.data() + run, i_ - run);
      if (i_ == s_.size()) return false;
      const char c = s_[i_++];
      if (c == '"') return true;
      if (c != '\\' || i_ == s_.size()) return false;  // a control byte or non-ASCII: the full reader's
      char decoded = 0;
      switch (s_[i_++]) {
        case '"': decoded = '"'; break;
        case '\\': decoded = '\\'; break;
        case '/': decoded = '/'; break;
        case 'b': decoded = '\b'; break;
        case 'f': decoded = '\f'; break;
        case 'n': decoded = '\n'; break;
        case 'r': decoded = '\r'; break;
        case 't': decoded = '\t'; break;
        default: return false;  // \u escapes: the full reader's
      }
      if (out) out->push_back(decoded);
    }
    return false;
  }
  // Over a run of plain bytes, through a local pointer: a member would be read again after every
  // byte (a char may alias it).
  void skip_plain() {
    const char* p = s_.data() + i_;
    const char* const end = s_.data() + s_.size();
    for (std::uint64_t w = 0; std::endian::native == std::endian::little && end - p >= 8; p += 8) {  // eight at a time
      std::memcpy(&w, p, 8);
      if (const std::uint64_t special = special_bytes(w)) {
        i_ = static_cast<std::size_t>(p - s_.data()) + static_cast<std::size_t>(std::countr_zero(special) / 8);
        return;
      }
    }
    while (p != end && kPlain[static_cast<unsigned char>(*p)]) ++p;
    i_ = static_cast<std::size_t>(p - s_.data());
  }

  // A member name: plain bytes only (a name with escapes is the full reader's), viewed in place.
  bool member_name(std::string_view& out) {
    if (!consume('"')) return false;
    const std::size_t from = i_;
    skip_plain();
    if (i_ == s_.size() || s_[i_] != '"') return false;
    out = s_.substr(from, i_ - from);
    ++i_;
    return true;
  }

  bool skip_value(int depth) {
    if (depth > kMaxDepth) return false;
    skip_ws();
    if (i_ == s_.size()) return false;
    switch (s_[i_]) {
      case '"': return string(nullptr);
      case '{': return object([&](std::string_view) { return skip_value(depth + 1); });
      case '[': {
        ++i_;
        skip_ws();
        if (consume(']')) return true;
        while (true) {
          if (!skip_value(depth + 1)) return false;
          skip_ws();
          if (consume(']')) return true;
          if (!consume(',')) return false;
        }
      }
      case 't': return literal("true");
      case 'f': return literal("false");
      case 'n': return literal("null");
      default: return number();
    }
  }

  // -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
  bool number() {
    consume('-');
    if (consume('0')) {
    } else if (!digits()) {
      return false;
    }
    if (consume('.') && !digits()) return false;
    if (consume('e') || consume('E')) {
      if (!consume('+')) consume('-');
      if (!digits()) return false;
    }
    return true;
  }

  bool digits() {
    const std::size_t from = i_;
    const char* p = s_.data() + i_;
    const char* const end = s_.data() + s_.size();
    while (p != end && *p >= '0' && *p <= '9') ++p;
    i_ = static_cast<std::size_t>(p - s_.data());
    return i_ > from;
  }

  bool null() { return literal("null"); }
  template <std::size_t N>
  bool literal(const char (&word)[N]) {
    if (s_.size() - i_ < N - 1 || std::memcmp(s_.data() + i_, word, N - 1) != 0) return false;
    i_ += N - 1;
    return true;
  }
  bool consume(char c) {
    if (i_ < s_.size() && s_[i_] == c) {
      ++i_;
      return true;
    }
    return false;
  }
  void skip_ws() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r')) ++i_;
  }

  std::string_view s_;
  std::size_t i_ = 0;
};

}  // namespace

std::optional<ScannedChunk> scan_chunk(std::string_view json) {
  ScannedChunk out;
  if (!Scanner(json).chunk(out)) return std::nullopt;
  return out;
}

}  // namespace specsim::models::live
