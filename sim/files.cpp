#include "sim/files.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "sim/input_error.hpp"

namespace specsim::sim {

std::string read_text_file(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) throw InputError(path, 0, 0, "", "cannot read file: is a directory");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path, 0, 0, "", std::string("cannot open file: ") + std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) throw InputError(path, 0, 0, "", "cannot read file");
  return text.str();
}

namespace {
constexpr const char* kTemporaryMark = ".tmp-";
}

AtomicFile::AtomicFile(std::string path)
    : path_(std::move(path)), temp_(path_ + kTemporaryMark + std::to_string(::getpid())) {}

AtomicFile::~AtomicFile() {
  if (!committed_) std::remove(temp_.c_str());
}

void AtomicFile::commit() {
  if (std::rename(temp_.c_str(), path_.c_str()) != 0)
    throw InputError(path_, 0, 0, "", std::string("cannot rename the temporary file into place: ") + std::strerror(errno));
  committed_ = true;
}

bool is_atomic_temporary(const std::string& file_name) {
  return file_name.find(kTemporaryMark) != std::string::npos;
}

void write_file_atomically(const std::string& path, const std::string& content) {
  AtomicFile file(path);
  {
    std::ofstream out(file.temp_path(), std::ios::binary | std::ios::trunc);
    if (!out) throw InputError(path, 0, 0, "", std::string("cannot create a temporary file: ") + std::strerror(errno));
    out << content;
    out.close();
    if (!out) throw InputError(path, 0, 0, "", std::string("cannot write: ") + std::strerror(errno));
  }
  file.commit();
}

}  // namespace specsim::sim
