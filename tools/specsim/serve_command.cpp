// `specsim serve (SCENARIO.yaml | TRACE.jsonl) [--port N] [--time-scale X] [--faults SPEC] [--seed N]`:
// an OpenAI-compatible server on 127.0.0.1 answering from the world the simulator knows
// (models/live/serve.hpp). Prints `listening on 127.0.0.1:PORT` on stdout once it accepts
// connections, logs faults and disconnects on stderr, and stops on SIGINT or SIGTERM.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <iostream>
#include <optional>

#include "models/live/serve.hpp"
#include "models/trace/trace_reader.hpp"
#include "sim/exit_code.hpp"
#include "sim/input_error.hpp"
#include "tools/runner/scenario.hpp"
#include "tools/specsim/commands.hpp"

namespace specsim::cli {

namespace {

struct ServeArgs {
  std::string world;
  int port = 0;
  double time_scale = 1;
  std::string faults;
  std::optional<std::uint64_t> seed;
};

bool is_trace(const std::string& path) { return path.size() >= 6 && path.substr(path.size() - 6) == ".jsonl"; }

int serve_command(const ServeArgs& args) {
  models::live::ServeOptions options;
  options.time_scale = args.time_scale;
  options.faults = models::live::parse_faults(args.faults);
  options.log = &std::cerr;
  std::unique_ptr<models::live::ServedWorld> world;
  if (is_trace(args.world)) {
    world = models::live::make_trace_world(models::trace::read_trace(args.world));
    options.seed = args.seed.value_or(1);
  } else {
    runner::Scenario s = runner::load_scenario(args.world);
    if (args.seed) s.seed = *args.seed;
    options.seed = s.seed;
    world = models::live::make_script_world(std::move(s.workload), s.agents, s.seed, s.max_steps);
  }
  std::optional<models::live::Server> server;
  try {
    server.emplace(std::move(world), options, static_cast<std::uint16_t>(args.port));
  } catch (const std::runtime_error& e) {
    throw sim::InputError("", 0, 0, "--port", e.what());
  }
  std::cout << "listening on 127.0.0.1:" << server->port() << std::endl;
  server->run(/*handle_signals=*/true);
  const auto st = server->stats();
  // Lateness is the server's own (timers that fired late on a loaded machine): a live run's
  // latencies against it carry it, in wall seconds.
  std::cerr << fmt::format("serve: stopped: {} requests, {} answered, {} disconnects, faults: {} 429, {} 500, {} stalls, {} drops; "
                           "answers ended {:.6f} s late in all\n",
                           st.requests, st.answered, st.disconnects, st.too_many_requests, st.server_errors, st.stalls, st.drops, st.late_s);
  return sim::ExitCode::ok;
}

}  // namespace

void add_serve_command(CLI::App& app, SetAction set_action) {
  auto args = std::make_shared<ServeArgs>();
  auto* cmd = app.add_subcommand("serve", "Serve a scenario's or a trace's world as an OpenAI-compatible endpoint on 127.0.0.1");
  cmd->add_option("world", args->world, "Scenario YAML file, or a trace (.jsonl)")->required();
  cmd->add_option("--port", args->port, "TCP port (0: a free one, printed)")->check(CLI::Range(0, 65535));
  cmd->add_option("--time-scale", args->time_scale, "Wall seconds per simulated second (0.01: 1 s is 10 ms)")
      ->check(CLI::Range(1e-6, 1e3));
  cmd->add_option("--faults", args->faults, "Injected faults and rates, e.g. 429:0.1,500:0.05,stall:0.01,drop:0.01");
  cmd->add_option("--seed", args->seed, "Seed of the world (scenarios) and of the fault draws")->check(seed_check());
  cmd->callback([args, set_action] { set_action([args] { return serve_command(*args); }); });
}

}  // namespace specsim::cli
