#pragma once
// Whole-file input and output.
#include <fstream>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace specsim::sim {

// The file's bytes; a missing or unreadable file is an InputError naming it.
std::string read_text_file(const std::string& path);

// Calls `visit` with each line of a text file, without its '\n' (a last line without one counts),
// holding one line in memory at a time; the same errors as read_text_file.
void for_each_line(const std::string& path, const std::function<void(std::string_view)>& visit);

// A file that appears whole or not at all: it is written under a temporary name beside its target
// ("<name>.tmp-<pid>", same folder so the rename cannot cross file systems) and renamed over the
// target by commit(), so readers never see a half-written file. Without commit() (an error, an
// exception, an interrupted run) the temporary file is removed and the target is left as it was.
// There is no fsync: this guards against crashes of the writer, not of the machine.
class CommitGroup;

class AtomicFile {
 public:
  // With a group, commit() only hands the written file to the group, which renames it into
  // place together with the others.
  explicit AtomicFile(std::string path, CommitGroup* group = nullptr);
  ~AtomicFile();
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  const std::string& path() const { return path_; }
  const std::string& temp_path() const { return temp_; }  // where to write

  // Renames the temporary file over the target; an InputError naming the target if it cannot.
  void commit();

 private:
  std::string path_, temp_;
  CommitGroup* group_;
  bool committed_ = false;
};

// Several outputs of one command that land together or not at all (`-o` with `--json`): each is
// written to its temporary file and handed to the group; commit() renames them all into place.
// A group destroyed before commit() (an error, a signal) removes every temporary file it holds.
class CommitGroup {
 public:
  CommitGroup() = default;
  ~CommitGroup();
  CommitGroup(const CommitGroup&) = delete;
  CommitGroup& operator=(const CommitGroup&) = delete;

  void commit();

 private:
  friend class AtomicFile;
  void stage(const std::string& temp, const std::string& path) { staged_.push_back({temp, path}); }
  struct Staged {
    std::string temp, path;
  };
  std::vector<Staged> staged_;
  bool committed_ = false;
};

// Holds a folder for one writer at a time (an advisory lock on "<folder>/.lock", released when
// the object goes or the process dies): a second writer gets an InputError at once.
class FolderLock {
 public:
  explicit FolderLock(const std::string& folder);
  ~FolderLock();
  FolderLock(const FolderLock&) = delete;
  FolderLock& operator=(const FolderLock&) = delete;

 private:
  int fd_ = -1;
};

// Removes the temporary files that killed writers left beside `path` (their process is gone).
void remove_stale_temporaries(const std::string& path);

// Whether a file name is that of an AtomicFile's temporary: debris of a writer that was killed.
bool is_atomic_temporary(const std::string& file_name);

// A file written piece by piece into an AtomicFile, so that a large output never has to be held in
// memory whole: nothing is in place until commit(). Failures are InputErrors naming the path.
class AtomicWriter {
 public:
  explicit AtomicWriter(std::string path, CommitGroup* group = nullptr);
  void write(std::string_view text);
  void commit();

 private:
  AtomicFile file_;  // declared first, so the stream is closed before the temporary is removed
  std::ofstream out_;
};

// The missing folders above a file about to be written, created at once: unless keep() is called
// (the file is in place), the destructor removes again those it created, innermost first and only
// while empty, so that a failed write leaves nothing behind. An InputError naming the file if a
// folder cannot be created.
class ParentFolders {
 public:
  explicit ParentFolders(const std::string& file);
  ~ParentFolders();
  ParentFolders(const ParentFolders&) = delete;
  ParentFolders& operator=(const ParentFolders&) = delete;

  void keep() { created_.clear(); }

 private:
  void remove_created();
  std::vector<std::string> created_;  // outermost first
};

// Writes a whole file or nothing (see AtomicFile). Failures are InputErrors naming `path`.
void write_file_atomically(const std::string& path, const std::string& content, CommitGroup* group = nullptr);

}  // namespace specsim::sim
