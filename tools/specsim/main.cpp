// specsim: the command line. Exit codes: sim/exit_code.hpp.
#include <charconv>
#include <cstdint>
#include <iostream>

#include "tools/runner/provenance.hpp"
#include "tools/runner/scenario.hpp"
#include "sim/exit_code.hpp"
#include "sim/input_error.hpp"
#include "tools/specsim/commands.hpp"

namespace specsim::cli {

const CLI::Validator& seed_check() {
  static const CLI::Validator check(
      [](const std::string& s) -> std::string {
        std::uint64_t v = 0;
        const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
        if (s.empty() || ec != std::errc() || end != s.data() + s.size())
          return "a seed is a whole number in [0, 18446744073709551615], got '" + s + "'";
        return "";
      },
      "SEED");
  return check;
}

const CLI::Validator& episodes_check() {
  static const CLI::Validator check = CLI::Range(std::int64_t{1}, runner::kMaxEpisodes);
  return check;
}

void print_warnings(const std::vector<std::string>& warnings) {
  for (const auto& w : warnings) std::cerr << "specsim: warning: " << w << "\n";
}

const CLI::Validator& workers_check() {
  static const CLI::Validator check = CLI::Range(0, kMaxWorkers);
  return check;
}

}  // namespace specsim::cli

int main(int argc, char** argv) {
  using namespace specsim;
  CLI::App app{"specsim: a discrete-event simulator for speculative planning of LLM agents"};
  app.set_version_flag("--version", runner::version_line());
  app.require_subcommand(1);

  cli::CommandAction action;  // set while parsing, by the command that was given
  const cli::SetAction set_action = [&action](cli::CommandAction a) { action = std::move(a); };
  cli::add_run_command(app, set_action);
  cli::add_fleet_command(app, set_action);
  cli::add_sweep_command(app, set_action);
  cli::add_plot_command(app, set_action);
  cli::add_advise_command(app, set_action);
  cli::add_models_command(app, set_action);
  cli::add_trace_replay_commands(*cli::add_trace_commands(app, set_action), set_action);
  cli::add_serve_command(app, set_action);
  cli::add_live_command(app, set_action);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return sim::ExitCode::bad_input;
  }

  try {
    return action ? action() : sim::ExitCode::ok;
  } catch (const sim::InputError& e) {
    std::cerr << "specsim: error: " << e.what() << "\n";
    return sim::ExitCode::bad_input;
  } catch (const std::exception& e) {
    std::cerr << "specsim: internal error: " << e.what() << "\n";
    return sim::ExitCode::internal;
  }
}
