#pragma once
// Writes a test's input file whole, its folders made first (fixtures of imported logs).
#include <filesystem>
#include <fstream>
#include <string>

namespace specsim::testing {

inline void write_text(const std::filesystem::path& file, const std::string& text) {
  std::filesystem::create_directories(file.parent_path());
  std::ofstream(file) << text;
}

}  // namespace specsim::testing
