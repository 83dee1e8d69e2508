// Fuzz target: the importer of DSP's run logs. The input is cut at lines "=====" into an
// approximation, a target and a simulation log of one datapoint, written to a temporary folder
// and imported. The import must succeed or throw sim::InputError; a task it imports must be a
// valid trace line (the reader accepts it, and it reads back equal).
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "models/trace/dsp_log_importer.hpp"
#include "models/trace/trace_reader.hpp"
#include "models/trace/trace_writer.hpp"
#include "sim/input_error.hpp"

namespace fs = std::filesystem;
namespace tr = specsim::models::trace;

namespace {

const fs::path& folder() {
  static const fs::path dir = [] {
    const fs::path d = fs::temp_directory_path() / ("specsim-fuzz-dsp-" + std::to_string(::getpid()));
    fs::create_directories(d);
    std::atexit([] { fs::remove_all(folder()); });
    return d;
  }();
  return dir;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const fs::path& dir = folder();
  const char* names[] = {"approximation_datapoint1.log", "target_datapoint1.log", "simulation_datapoint1.log"};
  std::size_t begin = 0;
  for (int i = 0; i < 3; ++i) {
    const std::size_t cut = text.find("\n=====\n", begin);
    const fs::path path = dir / names[i];
    if (begin > text.size()) {
      fs::remove(path);
      continue;
    }
    const std::size_t end = cut == std::string::npos ? text.size() : cut + 1;
    std::ofstream(path, std::ios::binary) << text.substr(begin, end - begin);
    begin = cut == std::string::npos ? text.size() + 1 : cut + 7;
  }
  tr::ImportResult r;
  try {
    r = tr::import_dsp_logs(dir.string());
  } catch (const specsim::sim::InputError&) {
    return 0;
  }
  if (r.trace.tasks.empty()) return 0;
  // Outside the try: an imported task that the writer or the reader refuses escapes as a finding.
  const std::string jsonl = tr::trace_to_jsonl(r.trace);
  if (!(tr::parse_trace(jsonl, "imported") == r.trace)) {
    std::fprintf(stderr, "fuzz_dsp_import: an imported task does not read back equal\n");
    std::abort();
  }
  return 0;
}
