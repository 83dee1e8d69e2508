#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <unistd.h>

#include "sim/files.hpp"
#include "support/input_error.hpp"
#include "support/temp_dir.hpp"

using namespace specsim;
namespace fs = std::filesystem;

namespace {

std::size_t files_in(const fs::path& dir) {
  std::size_t n = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir)) ++n;
  return n;
}

}  // namespace

TEST_CASE("write_file_atomically replaces the file whole and leaves no temporary", "[files]") {
  const testing::TempDir tmp;
  const std::string path = (tmp / "out.txt").string();
  sim::write_file_atomically(path, "first\n");
  sim::write_file_atomically(path, "second\n");
  CHECK(sim::read_text_file(path) == "second\n");
  CHECK(files_in(tmp.path()) == 1);
}

TEST_CASE("an AtomicFile appears only on commit, and its temporary goes without one", "[files]") {
  const testing::TempDir tmp;
  const std::string path = (tmp / "r.h5").string();
  {
    sim::AtomicFile file(path);
    CHECK(file.path() == path);
    CHECK(fs::path(file.temp_path()).parent_path() == tmp.path());  // same folder: rename, never copy
    CHECK(sim::is_atomic_temporary(fs::path(file.temp_path()).filename().string()));
    std::ofstream(file.temp_path()) << "half";
  }
  CHECK(files_in(tmp.path()) == 0);
  {
    sim::AtomicFile file(path);
    std::ofstream(file.temp_path()) << "whole";
    file.commit();
  }
  CHECK(sim::read_text_file(path) == "whole");
  CHECK(files_in(tmp.path()) == 1);
  CHECK_FALSE(sim::is_atomic_temporary("r.h5"));
}

TEST_CASE("a file that cannot be written is an input error naming it", "[files]") {
  const testing::TempDir tmp;
  const std::string path = (tmp / "missing" / "out.txt").string();
  CHECK(testing::input_error_of([&] { sim::write_file_atomically(path, "x"); }) ==
        path + ": cannot create a temporary file: No such file or directory");
  sim::AtomicFile never_written(path);
  CHECK(testing::input_error_of([&] { never_written.commit(); }) ==
        path + ": cannot rename the temporary file into place: No such file or directory");
}

TEST_CASE("ParentFolders makes an output's missing folders and removes them unless kept", "[files]") {
  const testing::TempDir tmp;
  const std::string out = (tmp / "a" / "b" / "out.txt").string();
  { const sim::ParentFolders folders(out); CHECK(fs::is_directory(tmp / "a" / "b")); }
  CHECK(files_in(tmp.path()) == 0);  // a failed write leaves nothing behind
  {
    sim::ParentFolders folders(out);
    sim::write_file_atomically(out, "x");
    folders.keep();
  }
  CHECK(sim::read_text_file(out) == "x");
  {  // only the folders it made, and only while empty
    const sim::ParentFolders folders((tmp / "a" / "c" / "d" / "out.txt").string());
    std::ofstream(tmp / "a" / "c" / "note") << "someone else's";
  }
  CHECK(fs::exists(tmp / "a" / "c" / "note"));
  CHECK_FALSE(fs::exists(tmp / "a" / "c" / "d"));
  CHECK(fs::exists(out));
  std::ofstream(tmp / "file") << "a file";
  CHECK(testing::input_error_of([&] { sim::ParentFolders below_a_file((tmp / "file" / "x" / "out.txt").string()); }) ==
        (tmp / "file" / "x" / "out.txt").string() + ": cannot create the folder '" + (tmp / "file").string() + "/x': Not a directory");
}

TEST_CASE("a commit group renames its files only together, and removes them all otherwise", "[files]") {
  const testing::TempDir tmp;
  const std::string a = (tmp / "a.txt").string(), b = (tmp / "b.txt").string();
  {
    sim::CommitGroup group;
    sim::write_file_atomically(a, "A", &group);
    sim::write_file_atomically(b, "B", &group);
    CHECK_FALSE(std::filesystem::exists(a));  // staged, not yet in place
    CHECK(std::distance(std::filesystem::directory_iterator(tmp.path()), std::filesystem::directory_iterator{}) == 2);
  }  // not committed: both temporary files go
  CHECK(std::filesystem::is_empty(tmp.path()));
  {
    sim::CommitGroup group;
    sim::write_file_atomically(a, "A", &group);
    sim::write_file_atomically(b, "B", &group);
    group.commit();
  }
  CHECK(sim::read_text_file(a) == "A");
  CHECK(sim::read_text_file(b) == "B");
  CHECK(std::distance(std::filesystem::directory_iterator(tmp.path()), std::filesystem::directory_iterator{}) == 2);
}

TEST_CASE("stale temporary files of dead writers are removed, those of live ones kept", "[files]") {
  const testing::TempDir tmp;
  const std::string target = (tmp / "r.h5").string();
  const std::string dead = target + ".tmp-999999999", alive = target + ".tmp-" + std::to_string(::getpid());
  const std::string other = (tmp / "other.h5.tmp-999999999").string();
  for (const auto& f : {dead, alive, other}) std::ofstream(f) << "x";
  sim::remove_stale_temporaries(target);
  CHECK_FALSE(std::filesystem::exists(dead));
  CHECK(std::filesystem::exists(alive));
  CHECK(std::filesystem::exists(other));  // another output's: not ours to judge
}

TEST_CASE("files are read whole or line by line, devices that never end are refused", "[files]") {
  const testing::TempDir dir;
  const std::string path = (dir / "t.txt").string();
  std::ofstream(path, std::ios::binary) << "one\n\ntwo\r\nthree";
  CHECK(sim::read_text_file(path) == "one\n\ntwo\r\nthree");
  std::vector<std::string> lines;
  sim::for_each_line(path, [&](std::string_view l) { lines.emplace_back(l); });
  CHECK(lines == std::vector<std::string>{"one", "", "two\r", "three"});

  CHECK_THROWS_WITH(sim::read_text_file("/dev/zero"), "/dev/zero: cannot read file: not a regular file");
  CHECK_THROWS_WITH(sim::for_each_line("/dev/zero", [](std::string_view) {}), "/dev/zero: cannot read file: not a regular file");
  CHECK_THROWS_WITH(sim::read_text_file(dir.path().string()), dir.path().string() + ": cannot read file: is a directory");
}
