#pragma once
// Output safety, checked before any work starts: a command names the files it reads and the
// files (or folders) it writes, and a run that would overwrite one of its inputs, write two
// outputs to one file, or fail to write at the end stops at once with exit 2.
#include <string>
#include <vector>

namespace specsim::runner {

struct NamedPath {
  std::string path;
  std::string option;  // how the user gave it ("-o", "--json", "scenario"), for messages
};

struct OutputPaths {
  std::vector<NamedPath> inputs;
  std::vector<NamedPath> files;    // files the command writes
  std::vector<NamedPath> folders;  // folders the command writes into (created if missing)

  void input(std::string path, std::string option) { add(inputs, std::move(path), std::move(option)); }
  void input(const std::vector<std::string>& paths, const std::string& option) {
    for (const auto& p : paths) input(p, option);
  }
  // A file, or every file below a folder.
  void inputs_below(const std::string& path, const std::string& option);
  void file(std::string path, std::string option) { add(files, std::move(path), std::move(option)); }
  void folder(std::string path, std::string option) { add(folders, std::move(path), std::move(option)); }

  // InputError naming the path and its option when an output file is an input or another output
  // (the same file under another name, through a symbolic or a hard link, counts), is a folder,
  // or lies below a file; or when an output's folder cannot be created or written.
  void check() const;

 private:
  static void add(std::vector<NamedPath>& to, std::string path, std::string option) {
    if (!path.empty()) to.push_back({std::move(path), std::move(option)});
  }
};

}  // namespace specsim::runner
