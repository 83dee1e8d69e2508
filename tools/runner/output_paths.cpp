#include "tools/runner/output_paths.hpp"

#include <unistd.h>

#include <filesystem>
#include <optional>

#include "sim/input_error.hpp"

namespace specsim::runner {

namespace fs = std::filesystem;

namespace {

[[noreturn]] void fail(const NamedPath& p, const std::string& what) {
  throw sim::InputError(p.path, 0, 0, p.option, what);
}

// The path as the file system resolves it, for paths that do not exist yet too.
fs::path resolved(const std::string& path) {
  std::error_code ec;
  fs::path r = fs::weakly_canonical(fs::absolute(path, ec), ec);
  return ec ? fs::absolute(path).lexically_normal() : r;
}

bool same_file(const NamedPath& a, const NamedPath& b) {
  std::error_code ec;
  if (fs::exists(a.path, ec) && fs::exists(b.path, ec)) return fs::equivalent(a.path, b.path, ec) && !ec;
  return resolved(a.path) == resolved(b.path);
}

// The folder a path's missing parts would be created in: its nearest existing ancestor.
void check_writable_folder(const NamedPath& p, const fs::path& folder) {
  std::error_code ec;
  fs::path at = fs::absolute(folder.empty() ? fs::path(".") : folder, ec);  // "out" has no parent; "/abs/out" does
  while (!fs::exists(at, ec) && at.has_parent_path() && at.parent_path() != at) at = at.parent_path();
  if (!fs::is_directory(at, ec)) fail(p, "cannot write below '" + at.string() + "': it is a file, not a folder");
  if (::access(at.c_str(), W_OK | X_OK) != 0) fail(p, "cannot write into the folder '" + at.string() + "'");
}

}  // namespace

void OutputPaths::inputs_below(const std::string& path, const std::string& option) {
  std::error_code ec;
  if (!fs::is_directory(path, ec)) return input(path, option);
  for (const auto& entry : fs::recursive_directory_iterator(path, ec))
    if (entry.is_regular_file(ec)) input(entry.path().string(), option);
}

void OutputPaths::check() const {
  std::error_code ec;
  for (const NamedPath& out : folders) {
    if (fs::exists(out.path, ec) && !fs::is_directory(out.path, ec)) fail(out, "is a file; a folder is expected here");
    check_writable_folder(out, out.path);
  }
  for (std::size_t i = 0; i < files.size(); ++i) {
    const NamedPath& out = files[i];
    if (fs::is_directory(out.path, ec)) fail(out, "is a folder; a file is expected here");
    for (const NamedPath& in : inputs)  // a missing input is reported when it is read
      if (fs::exists(in.path, ec) && same_file(out, in)) fail(out, "is also the input given as " + in.option + " ('" + in.path + "'); it would be overwritten");
    for (std::size_t j = 0; j < i; ++j)
      if (same_file(out, files[j])) fail(out, "is also the output given as " + files[j].option + "; give each output its own file");
    check_writable_folder(out, fs::path(out.path).parent_path());
  }
}

}  // namespace specsim::runner
