// `specsim plot RESULTS -o DIR [--only FIGURE]`: the figures, drawn by the Python scripts of
// analysis/specsim_plots (Debian's h5py and matplotlib).
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>

#include "sim/exit_code.hpp"
#include "sim/input_error.hpp"
#include "tools/runner/output_paths.hpp"
#include "tools/specsim/commands.hpp"

namespace specsim::cli {

namespace {

// The scripts live in analysis/specsim_plots, found next to the build folder or in the source
// tree this binary was built from.
std::string plots_dir() {
  std::error_code ec;
  const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  for (const auto& candidate : {exe.parent_path() / ".." / "analysis", std::filesystem::path(SPECSIM_SOURCE_DIR) / "analysis"})
    if (std::filesystem::exists(candidate / "specsim_plots" / "__main__.py")) return candidate.lexically_normal().string();
  throw std::runtime_error("cannot find the plotting scripts (analysis/specsim_plots)");
}

struct PlotArgs {
  std::string results, out, only;
};

int plot(const PlotArgs& a) {
  if (!std::filesystem::exists(a.results)) throw sim::InputError(a.results, 0, 0, "", "no such result file or sweep folder");
  runner::OutputPaths outputs;
  outputs.input(a.results, "results");
  outputs.folder(a.out, "-o");
  outputs.check();
  const char* env_python = std::getenv("SPECSIM_PYTHON");
  const std::string python = env_python ? env_python : "/usr/bin/python3";  // Debian's, which has h5py
  const std::string pythonpath = plots_dir();
  std::vector<std::string> argv{python, "-m", "specsim_plots", a.results, "-o", a.out};
  if (!a.only.empty()) {
    argv.push_back("--only");
    argv.push_back(a.only);
  }
  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("cannot start the plotting scripts");
  if (pid == 0) {
    setenv("PYTHONPATH", pythonpath.c_str(), 1);
    std::vector<char*> args;
    for (auto& s : argv) args.push_back(s.data());
    args.push_back(nullptr);
    execv(python.c_str(), args.data());
    std::fprintf(stderr, "specsim: cannot run %s\n", python.c_str());
    _exit(sim::ExitCode::internal);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : sim::ExitCode::internal;
}

}  // namespace

void add_plot_command(CLI::App& app, SetAction set_action) {
  auto args = std::make_shared<PlotArgs>();
  auto* cmd = app.add_subcommand("plot", "Draw the figures of a run's result file or a sweep's folder");
  cmd->add_option("results", args->results, "Result file (.h5) or sweep folder")->required();
  cmd->add_option("-o,--output", args->out, "Folder for the figures (PNG and PDF)")->required();
  cmd->add_option("--only", args->only, "Draw one figure (fail if its data are missing)");
  cmd->callback([set_action, args] { set_action([args] { return plot(*args); }); });
}

}  // namespace specsim::cli
