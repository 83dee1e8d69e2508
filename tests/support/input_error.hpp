#pragma once
// The message of the sim::InputError that `f` throws, or "(no error)": for asserting exact
// error messages with file, line, column and field.
#include <string>

#include "sim/input_error.hpp"

namespace specsim::testing {

template <class F>
std::string input_error_of(F&& f) {
  try {
    f();
  } catch (const sim::InputError& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace specsim::testing
