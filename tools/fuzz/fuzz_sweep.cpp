// Fuzz target: sweep files and sweep manifests on arbitrary bytes, beside a fixed base scenario
// (written once to a temporary folder).
// - The input as a sweep file: load_sweep, then (up to 64 runs) expand_sweep, must give a sweep
//   or a sim::InputError, never another exception, a crash or a hang.
// - The input as a shard's sweep.json: `sweep merge` must merge it or refuse it with a
//   sim::InputError, and write nothing into the output folder when it refuses.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "sim/input_error.hpp"
#include "tests/support/sweep_base.hpp"
#include "tools/runner/sweep.hpp"

namespace fs = std::filesystem;

namespace {

const fs::path& folder() {
  static const fs::path dir = [] {
    const fs::path d = fs::temp_directory_path() / ("specsim-fuzz-sweep-" + std::to_string(::getpid()));
    fs::create_directories(d / "shard" / "runs");
    std::ofstream(d / "base.yaml") << specsim::testing::sweep_base_scenario(2);
    std::atexit([] { fs::remove_all(folder()); });
    return d;
  }();
  return dir;
}

void write(const fs::path& path, const std::string& text) { std::ofstream(path, std::ios::binary) << text; }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace runner = specsim::runner;
  const std::string text(reinterpret_cast<const char*>(data), size);
  const fs::path& dir = folder();

  write(dir / "sweep.yaml", text);
  try {
    const runner::SweepSpec spec = runner::load_sweep((dir / "sweep.yaml").string());
    std::size_t runs = spec.seeds.size();
    for (const auto& axis : spec.axes) runs *= spec.zip ? 1 : axis.values.size();
    if (spec.zip && !spec.axes.empty()) runs *= spec.axes[0].values.size();
    if (runs <= 64) (void)runner::expand_sweep(spec);
  } catch (const specsim::sim::InputError&) {
  }

  write(dir / "shard" / "sweep.json", text);
  const fs::path out = dir / "merged";
  fs::remove_all(out);
  try {
    runner::merge_sweeps({(dir / "shard").string()}, out.string());
  } catch (const specsim::sim::InputError&) {
    if (fs::exists(out / "summary.h5")) {
      std::fprintf(stderr, "fuzz_sweep: a refused merge left a summary behind\n");
      std::abort();
    }
  }
  return 0;
}
