// Fuzz target: the scenario loader on arbitrary bytes. Every input must give a scenario or a
// sim::InputError (exit code 2 with file:line:column and field); any other exception escapes and
// is reported by libFuzzer, as are crashes, hangs, huge allocations and sanitizer findings.
#include <cstdint>
#include <string>

#include "sim/input_error.hpp"
#include "tools/runner/scenario.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    const specsim::runner::Scenario scenario = specsim::runner::parse_scenario(text, "fuzz.yaml");
    (void)scenario;
  } catch (const specsim::sim::InputError&) {
  }
  return 0;
}
