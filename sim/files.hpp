#pragma once
// Whole-file input and output.
#include <string>

namespace specsim::sim {

// The file's bytes; a missing or unreadable file is an InputError naming it.
std::string read_text_file(const std::string& path);

// Writes a whole file or nothing: the text goes to a temporary name beside the target, which is
// renamed over it only once complete, so readers never see a half-written result.
void write_file_atomically(const std::string& path, const std::string& content);

}  // namespace specsim::sim
