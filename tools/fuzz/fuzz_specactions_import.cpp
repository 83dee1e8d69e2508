// Fuzz target: the importers of Speculative Actions' logs (HotpotQA runs and chess games). The
// input is a folder tree in text: a line "===== <path>" starts a file at that path below a
// temporary root (its content: the lines up to the next such line), so the fuzzer controls file
// and folder names as well as the JSON. Both importers then read the root.
//
// Properties, each a crash when violated: an import succeeds or throws sim::InputError (no other
// exception, crash or hang), and every trace it imports passes the trace writer and reads back
// equal.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "models/trace/specactions_importer.hpp"
#include "models/trace/trace_reader.hpp"
#include "models/trace/trace_writer.hpp"
#include "sim/input_error.hpp"

namespace fs = std::filesystem;
namespace tr = specsim::models::trace;

namespace {

constexpr std::string_view kHeader = "===== ";
constexpr int kMaxFiles = 8;            // keeps one input's file-system work small
constexpr std::size_t kMaxName = 200;   // below NAME_MAX, so a long name is not a write failure

const fs::path& root() {
  static const fs::path dir = [] {
    const fs::path d = fs::temp_directory_path() / ("specsim-fuzz-specactions-" + std::to_string(::getpid()));
    std::atexit([] { fs::remove_all(root()); });
    return d;
  }();
  return dir;
}

// The header's path below the root: '/'-separated parts, without empty, ".", ".." parts and NUL
// bytes (the file system cannot hold those), each part cut to kMaxName bytes. Other bytes
// (invalid UTF-8 among them) are kept: real folders can have such names.
fs::path relative_path(std::string_view spec) {
  fs::path out;
  std::size_t begin = 0;
  while (begin <= spec.size()) {
    const std::size_t slash = std::min(spec.find('/', begin), spec.size());
    std::string part;
    for (char c : spec.substr(begin, slash - begin))
      if (c != '\0') part += c;
    if (part.size() > kMaxName) part.resize(kMaxName);
    if (!part.empty() && part != "." && part != "..") out /= part;
    begin = slash + 1;
  }
  return out;
}

void write_tree(std::string_view text) {
  std::error_code ec;
  fs::remove_all(root(), ec);
  fs::create_directories(root(), ec);
  std::size_t at = text.substr(0, kHeader.size()) == kHeader ? 0 : text.find("\n" + std::string(kHeader));
  if (at != std::string_view::npos && at > 0) ++at;
  for (int files = 0; at != std::string_view::npos && files < kMaxFiles; ++files) {
    const std::size_t name_end = std::min(text.find('\n', at), text.size());
    const fs::path rel = relative_path(text.substr(at + kHeader.size(), name_end - at - kHeader.size()));
    const std::size_t body = std::min(name_end + 1, text.size());
    std::size_t next = text.find("\n" + std::string(kHeader), name_end);
    const std::size_t body_end = next == std::string_view::npos ? text.size() : next + 1;
    if (!rel.empty()) {  // a file that cannot be made (its folder is a file) is left out
      const fs::path file = root() / rel;
      fs::create_directories(file.parent_path(), ec);
      std::ofstream(file, std::ios::binary) << text.substr(body, body_end - body);
    }
    at = next == std::string_view::npos ? next : next + 1;
  }
}

void check(tr::SpecActionsImport (*import)(const std::string&), const char* name) {
  tr::SpecActionsImport r;
  try {
    r = import(root().string());
  } catch (const specsim::sim::InputError&) {
    return;
  }
  if (r.trace.tasks.empty()) return;  // no run folder (the command says so; the reader refuses an empty trace)
  // Outside the try: an imported trace that the writer or the reader refuses escapes as a finding.
  const std::string jsonl = tr::trace_to_jsonl(r.trace);
  if (!(tr::parse_trace(jsonl, "imported") == r.trace)) {
    std::fprintf(stderr, "fuzz_specactions_import: %s: an imported task does not read back equal\n", name);
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  write_tree(std::string_view(reinterpret_cast<const char*>(data), size));
  check(tr::import_specactions_hotpotqa, "hotpotqa");
  check(tr::import_specactions_chess, "chess");
  return 0;
}
