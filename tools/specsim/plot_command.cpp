// `specsim plot RESULTS -o DIR [--formats png,pdf,svg] [--only NAMES] [--policy LABEL] [--episode N]`
// and `specsim plot --list`: the figures, drawn by the Python scripts of analysis/specsim_plots
// (Debian's h5py and matplotlib).
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <optional>

#include "sim/exit_code.hpp"
#include "sim/input_error.hpp"
#include "tools/runner/output_paths.hpp"
#include "tools/specsim/commands.hpp"

namespace specsim::cli {

namespace {

namespace fs = std::filesystem;

// The scripts are found relative to this binary: installed, PREFIX/bin/specsim reads
// PREFIX/share/specsim/python; in a build folder, build/python links to the source's analysis/.
std::string scripts_dir() {
  std::error_code ec;
  const fs::path exe_dir = fs::read_symlink("/proc/self/exe", ec).parent_path();
  for (const fs::path& candidate : {exe_dir / ".." / "share" / "specsim" / "python", exe_dir / "python"})
    if (fs::exists(candidate / "specsim_plots" / "__main__.py")) return candidate.lexically_normal().string();
  throw std::runtime_error("cannot find the plotting scripts next to " + exe_dir.string() +
                           " (share/specsim/python or python/): reinstall with cmake --install");
}

// SPECSIM_PYTHON (a path, or a name searched on PATH), else Debian's python3, which has h5py.
std::string python() {
  const char* env = std::getenv("SPECSIM_PYTHON");
  if (env && *env) return env;
  return fs::exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
}

struct PlotArgs {
  std::string results, out, only, formats, policy;
  std::optional<int> episode, window;
  bool list = false;
};

int plot(const PlotArgs& a) {
  std::vector<std::string> argv{python(), "-m", "specsim_plots"};
  if (a.list) {
    argv.push_back("--list");
  } else {
    if (a.results.empty() || a.out.empty())
      throw sim::InputError("", 0, 0, "", "specsim plot needs RESULTS and -o DIR (or --list)");
    if (!fs::exists(a.results)) throw sim::InputError(a.results, 0, 0, "", "no such result file or sweep folder");
    runner::OutputPaths outputs;
    outputs.input(a.results, "results");
    outputs.folder(a.out, "-o");
    outputs.check();
    argv.insert(argv.end(), {a.results, "-o", a.out});
    for (const auto& [flag, value] : {std::pair<const char*, std::string>{"--only", a.only}, {"--formats", a.formats},
                                      {"--policy", a.policy}})
      if (!value.empty()) argv.insert(argv.end(), {flag, value});
    if (a.episode) argv.insert(argv.end(), {"--episode", std::to_string(*a.episode)});
    if (a.window) argv.insert(argv.end(), {"--window", std::to_string(*a.window)});
  }
  const std::string pythonpath = scripts_dir();
  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("cannot start the plotting scripts");
  if (pid == 0) {
    setenv("PYTHONPATH", pythonpath.c_str(), 1);
    setenv("PYTHONDONTWRITEBYTECODE", "1", 1);  // no caches in an installed or source tree
    std::vector<char*> args;
    for (auto& s : argv) args.push_back(s.data());
    args.push_back(nullptr);
    execvp(argv[0].c_str(), args.data());  // a bare name is searched on PATH
    std::fprintf(stderr, "specsim: cannot run %s (set SPECSIM_PYTHON to a Python 3 with h5py and matplotlib)\n",
                 argv[0].c_str());
    _exit(sim::ExitCode::bad_input);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : sim::ExitCode::internal;
}

}  // namespace

void add_plot_command(CLI::App& app, SetAction set_action) {
  auto args = std::make_shared<PlotArgs>();
  auto* cmd = app.add_subcommand("plot", "Draw the figures of a run's result file, a sweep folder or a fidelity report");
  cmd->add_option("results", args->results, "Result file (.h5), sweep folder or fidelity report (.json)");
  cmd->add_option("-o,--output", args->out, "Folder for the figures");
  cmd->add_option("--formats", args->formats, "Comma-separated formats: png, pdf, svg (default: png,pdf)");
  cmd->add_option("--only", args->only, "Comma-separated figures to draw (fail if their data are missing)");
  cmd->add_option("--policy", args->policy, "timeline: the policy label to draw");
  cmd->add_option("--episode", args->episode, "timeline: the episode to draw")->check(CLI::NonNegativeNumber);
  cmd->add_option("--window", args->window, "learning_curve: rolling-mean window in episodes")
      ->check(CLI::PositiveNumber);
  cmd->add_flag("--list", args->list, "List the figures, what each needs and shows, and exit");
  cmd->callback([set_action, args] { set_action([args] { return plot(*args); }); });
}

}  // namespace specsim::cli
