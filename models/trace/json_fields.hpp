#pragma once
// Where nlohmann's parser is, as a parse callback: the containers open around the value being
// read, so that an error nlohmann reports without a position (a number beyond a double) can name
// its field, and a key given twice in one object (which nlohmann keeps silently, the last one)
// is found. Used by every strict JSON reader of traces and logs.
#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

namespace specsim::models::trace {

// Its path() is the field being read, as errors write it: keys joined by '.', indices as [i].
class JsonFieldTracker {
 public:
  bool on(nlohmann::json::parse_event_t event, const nlohmann::json& parsed) {
    switch (event) {
      case nlohmann::json::parse_event_t::object_start: open_.emplace_back(false); break;
      case nlohmann::json::parse_event_t::array_start: open_.emplace_back(true); break;
      case nlohmann::json::parse_event_t::key: {
        Open& o = open_.back();
        o.key = parsed.get<std::string>();
        if (!o.keys.insert(o.key).second && duplicate_.empty()) {
          duplicate_ = path();
          duplicate_key_ = o.key;
        }
        break;
      }
      case nlohmann::json::parse_event_t::object_end:
      case nlohmann::json::parse_event_t::array_end:
        open_.pop_back();
        [[fallthrough]];
      case nlohmann::json::parse_event_t::value:
        if (!open_.empty() && open_.back().array) ++open_.back().index;
        break;
    }
    return true;
  }
  std::string path() const {
    std::string p;
    for (const Open& o : open_) p += o.array ? "[" + std::to_string(o.index) + "]" : path_part(o.key, p.empty());
    return p;
  }
  // The first key given twice in one object ("" if none): its path, and the key alone.
  const std::string& duplicate() const { return duplicate_; }
  const std::string& duplicate_key() const { return duplicate_key_; }

 private:
  // A field path as the importers write it: keys joined by '.', indices as [i], keys that are not
  // identifiers quoted (`"12".guessed_moves`).
  static std::string path_part(const std::string& key, bool first) {
    const bool identifier = !key.empty() && !std::isdigit(static_cast<unsigned char>(key[0])) &&
                            std::all_of(key.begin(), key.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
    return identifier ? (first ? "" : ".") + key : (first ? "" : ".") + nlohmann::json(key).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  struct Open {
    explicit Open(bool is_array) : array(is_array) {}
    bool array;
    std::size_t index = 0;  // arrays: the element being read
    std::string key;        // objects: the member being read
    std::set<std::string> keys;
  };
  std::vector<Open> open_;
  std::string duplicate_, duplicate_key_;
};

}  // namespace specsim::models::trace
