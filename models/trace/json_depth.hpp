#pragma once
// The deepest bracket nesting of a JSON text, outside strings, found without recursion: a prepass
// that keeps pathological inputs (thousands of '[') away from recursive JSON code (nlohmann's
// parse, comparison and dump recurse).
#include <algorithm>
#include <string_view>

namespace specsim::models::trace {

inline int json_nesting_depth(std::string_view text) {
  int depth = 0, deepest = 0;
  bool in_string = false, escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) escaped = false;
      else if (c == '\\') escaped = true;
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      deepest = std::max(deepest, ++depth);
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  return deepest;
}

}  // namespace specsim::models::trace
