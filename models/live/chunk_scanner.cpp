#include "models/live/chunk_scanner.hpp"

#include <utility>

namespace specsim::models::live {

namespace {

// A cursor over the chunk; every reader returns false to decline (malformed or unusual input).
class Scanner {
 public:
  explicit Scanner(std::string_view text) : s_(text) {}

  bool chunk(ScannedChunk& out) {
    bool seen_model = false, seen_choices = false, seen_usage = false;
    const bool ok = object([&](std::string_view key) {
      if (key == "model") return !std::exchange(seen_model, true) && nullable_string(out.model);
      if (key == "choices") return !std::exchange(seen_choices, true) && choices(out);
      if (key == "usage") return !std::exchange(seen_usage, true) && usage(out);
      if (key == "error") return false;
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
      if (key == "delta") return !std::exchange(seen_delta, true) && delta(out);
      if (key == "finish_reason") return !std::exchange(seen_finish, true) && nullable_string(out.finish_reason);
      if (key == "logprobs") return skip_ws(), null();  // log-probabilities: the full reader's
      return skip_value(1);
    });
  }

  bool delta(ScannedChunk& out) {
    skip_ws();
    if (null()) return true;
    bool seen_content = false;
    return object([&](std::string_view key) {
      if (key == "content") return !std::exchange(seen_content, true) && nullable_string(out.content);
      if (key == "tool_calls") return false;
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
      if (key == "prompt_tokens") return !std::exchange(seen_prompt, true) && count(u.prompt_tokens);
      if (key == "completion_tokens") return !std::exchange(seen_completion, true) && count(u.completion_tokens);
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
      while (i_ < s_.size() && plain(s_[i_])) ++i_;
      if (out) out->append(s_.substr(run, i_ - run));
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
  static bool plain(char c) {
    const auto u = static_cast<unsigned char>(c);
    return u >= 0x20 && u < 0x80 && c != '"' && c != '\\';
  }

  // A member name: plain bytes only (a name with escapes is the full reader's), viewed in place.
  bool member_name(std::string_view& out) {
    if (!consume('"')) return false;
    const std::size_t from = i_;
    while (i_ < s_.size() && plain(s_[i_])) ++i_;
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
    while (i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9') ++i_;
    return i_ > from;
  }

  bool null() { return literal("null"); }
  bool literal(std::string_view word) {
    if (s_.substr(i_, word.size()) != word) return false;
    i_ += word.size();
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
