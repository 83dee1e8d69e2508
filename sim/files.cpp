#include "sim/files.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "sim/input_error.hpp"

namespace specsim::sim {

namespace {
std::ifstream open_text_file(const std::string& path) {
  std::error_code ec;
  const auto type = std::filesystem::status(path, ec).type();
  if (type == std::filesystem::file_type::directory) throw InputError(path, 0, 0, "", "cannot read file: is a directory");
  // A device never ends (/dev/zero, /dev/urandom) or waits for ever (a terminal); a pipe ends.
  if (type == std::filesystem::file_type::character || type == std::filesystem::file_type::block ||
      type == std::filesystem::file_type::socket)
    throw InputError(path, 0, 0, "", "cannot read file: not a regular file");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path, 0, 0, "", std::string("cannot open file: ") + std::strerror(errno));
  return in;
}
}  // namespace

std::string read_text_file(const std::string& path) {
  std::ifstream in = open_text_file(path);
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) throw InputError(path, 0, 0, "", "cannot read file");
  return text.str();
}

void for_each_line(const std::string& path, const std::function<void(std::string_view)>& visit) {
  std::ifstream in = open_text_file(path);
  std::string line;
  while (std::getline(in, line)) visit(line);
  if (in.bad()) throw InputError(path, 0, 0, "", "cannot read file");
}

namespace {
constexpr const char* kTemporaryMark = ".tmp-";
}

AtomicFile::AtomicFile(std::string path, CommitGroup* group)
    : path_(std::move(path)), temp_(path_ + kTemporaryMark + std::to_string(::getpid())), group_(group) {}

AtomicFile::~AtomicFile() {
  if (!committed_) std::remove(temp_.c_str());
}

void AtomicFile::commit() {
  if (group_) {
    group_->stage(temp_, path_);
    committed_ = true;  // the group removes or renames it now
    return;
  }
  if (std::rename(temp_.c_str(), path_.c_str()) != 0)
    throw InputError(path_, 0, 0, "", std::string("cannot rename the temporary file into place: ") + std::strerror(errno));
  committed_ = true;
}

CommitGroup::~CommitGroup() {
  if (!committed_)
    for (const Staged& s : staged_) std::remove(s.temp.c_str());
}

void CommitGroup::commit() {
  committed_ = true;
  for (std::size_t i = 0; i < staged_.size(); ++i) {
    if (std::rename(staged_[i].temp.c_str(), staged_[i].path.c_str()) == 0) continue;
    const std::string error = std::strerror(errno);
    for (std::size_t j = i; j < staged_.size(); ++j) std::remove(staged_[j].temp.c_str());
    throw InputError(staged_[i].path, 0, 0, "", "cannot rename the temporary file into place: " + error);
  }
}

void remove_stale_temporaries(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path target(path);
  const fs::path folder = target.parent_path().empty() ? fs::path(".") : target.parent_path();
  const std::string prefix = target.filename().string() + kTemporaryMark;
  for (const auto& entry : fs::directory_iterator(folder, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind(prefix, 0) != 0) continue;
    const std::string pid_text = name.substr(prefix.size());
    if (pid_text.empty() || pid_text.find_first_not_of("0123456789") != std::string::npos || pid_text.size() > 9) continue;
    const auto pid = static_cast<pid_t>(std::stol(pid_text));
    if (::kill(pid, 0) != 0 && errno == ESRCH) fs::remove(entry.path(), ec);
  }
}

FolderLock::FolderLock(const std::string& folder) {
  const std::string path = folder + "/.lock";
  fd_ = ::open(path.c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0644);
  if (fd_ < 0) throw InputError(folder, 0, 0, "", std::string("cannot create the lock file: ") + std::strerror(errno));
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd_);
    throw InputError(folder, 0, 0, "", "another specsim process is writing into this folder; wait for it, or choose another");
  }
}

FolderLock::~FolderLock() {
  if (fd_ >= 0) ::close(fd_);  // releases the lock
}

bool is_atomic_temporary(const std::string& file_name) {
  return file_name.find(kTemporaryMark) != std::string::npos;
}

AtomicWriter::AtomicWriter(std::string path, CommitGroup* group)
    : file_(std::move(path), group), out_(file_.temp_path(), std::ios::binary | std::ios::trunc) {
  if (!out_) throw InputError(file_.path(), 0, 0, "", std::string("cannot create a temporary file: ") + std::strerror(errno));
}

void AtomicWriter::write(std::string_view text) {
  out_.write(text.data(), static_cast<std::streamsize>(text.size()));
  if (!out_) throw InputError(file_.path(), 0, 0, "", std::string("cannot write: ") + std::strerror(errno));
}

void AtomicWriter::commit() {
  out_.close();
  if (!out_) throw InputError(file_.path(), 0, 0, "", std::string("cannot write: ") + std::strerror(errno));
  file_.commit();
}

ParentFolders::ParentFolders(const std::string& file) {
  namespace fs = std::filesystem;
  std::vector<fs::path> missing;  // innermost first
  std::error_code ec;
  for (fs::path p = fs::path(file).parent_path(); !p.empty() && !fs::exists(p, ec); p = p.parent_path()) {
    missing.push_back(p);
    if (p == p.parent_path()) break;
  }
  for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
    const bool made = fs::create_directory(*it, ec);
    if (ec) {
      const std::string why = ec.message();
      remove_created();  // a constructor that throws runs no destructor
      throw InputError(file, 0, 0, "", "cannot create the folder '" + it->string() + "': " + why);
    }
    if (made) created_.push_back(it->string());  // not one another process made meanwhile
  }
}

ParentFolders::~ParentFolders() { remove_created(); }

void ParentFolders::remove_created() {
  std::error_code ec;
  for (auto it = created_.rbegin(); it != created_.rend(); ++it) std::filesystem::remove(*it, ec);
  created_.clear();
}

void write_file_atomically(const std::string& path, const std::string& content, CommitGroup* group) {
  AtomicWriter file(path, group);
  file.write(content);
  file.commit();
}

}  // namespace specsim::sim
