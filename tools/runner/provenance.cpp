#include "tools/runner/provenance.hpp"

#include <H5public.h>
#include <fmt/format.h>

#include <Eigen/Core>
#include <boost/version.hpp>

namespace specsim::runner {

std::string version_line() { return fmt::format("specsim {} (git {})", SPECSIM_VERSION, SPECSIM_GIT_REVISION); }

std::string library_versions() {
  unsigned maj = 0, min = 0, rel = 0;
  H5get_libversion(&maj, &min, &rel);
  return fmt::format("hdf5 {}.{}.{}; boost {}.{}.{}; eigen {}.{}.{}; yaml-cpp 0.7; fmt {}", maj, min, rel,
                     BOOST_VERSION / 100000, BOOST_VERSION / 100 % 1000, BOOST_VERSION % 100, EIGEN_WORLD_VERSION,
                     EIGEN_MAJOR_VERSION, EIGEN_MINOR_VERSION, FMT_VERSION);
}

std::map<std::string, std::string> provenance(const std::string& scenario_name, const std::string& scenario_file,
                                              const std::string& scenario_text, std::int64_t episodes) {
  return {{"scenario_name", scenario_name},   {"scenario_file", scenario_file},
          {"scenario_yaml", scenario_text},   {"episodes", std::to_string(episodes)},
          {"specsim_version", SPECSIM_VERSION}, {"git_revision", SPECSIM_GIT_REVISION},
          {"libraries", library_versions()}};
}

}  // namespace specsim::runner
