#pragma once
// How a result was made: specsim's version and git revision and the libraries it was built
// with, stored as attributes of every result file.
#include <cstdint>
#include <map>
#include <string>

namespace specsim::runner {

std::string version_line();
std::string library_versions();
// The attributes of a run's result file: scenario name, file and text, episodes, versions.
std::map<std::string, std::string> provenance(const std::string& scenario_name, const std::string& scenario_file,
                                              const std::string& scenario_text, std::int64_t episodes);

}  // namespace specsim::runner
