// `specsim live calibrate --base-url URL --model NAME [--api-key-env NAME] [--concurrency 1,2,4,8]
// [--prompt-tokens N] [--max-tokens N] [--requests N] [--time-scale X] -o PROFILE.yaml`: measures a
// self-hosted endpoint's serving profile (models/live/calibrate.hpp) and writes it as the rows that
// `latency: {kind: served, profile: PROFILE.yaml}` reads, with where and when they were measured.
#include <fmt/format.h>

#include <chrono>
#include <ctime>
#include <iostream>

#include "models/live/calibrate.hpp"
#include "sim/exit_code.hpp"
#include "sim/files.hpp"
#include "sim/input_error.hpp"
#include "tools/runner/output_paths.hpp"
#include "tools/specsim/commands.hpp"

namespace specsim::cli {

namespace {

struct CalibrateArgs {
  models::live::CalibrationOptions options;
  std::string output;
};

std::string utc_now() {
  const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

int calibrate_command(const CalibrateArgs& args) {
  const auto& o = args.options;
  const auto& c = o.concurrency;
  if (c.empty() || c.front() != 1) throw sim::InputError("", 0, 0, "--concurrency", "must start at 1 (a profile's first row)");
  for (std::size_t i = 1; i < c.size(); ++i)
    if (c[i] <= c[i - 1]) throw sim::InputError("", 0, 0, "--concurrency", fmt::format("must increase ({} after {})", c[i], c[i - 1]));
  runner::OutputPaths outputs;  // checked before the endpoint is driven
  outputs.file(args.output, "-o");
  outputs.check();
  const auto levels = models::live::calibrate(o, &std::cerr);
  const std::string provenance = fmt::format(
      "Serving profile measured by `specsim live calibrate` on {}\n"
      "endpoint: {}, model: {}\n"
      "{} measured streamed requests per concurrency level (after a warm-up call per connection), prompts of about {} words,\n"
      "at most {} output tokens, time scale {}; each row: medians, per request.\n"
      "Use it as `latency: {{kind: served, profile: FILE}}` (relative to the scenario), or paste the rows inline.",
      utc_now(), o.endpoint.base_url, o.model, std::max(o.requests, 1), o.prompt_tokens, o.max_tokens, o.time_scale);
  OutputFolders folders;
  folders.add(args.output);
  sim::write_file_atomically(args.output, models::live::profile_yaml(levels, provenance));
  folders.keep();
  std::cout << "profile: " << args.output << "\n";
  return sim::ExitCode::ok;
}

}  // namespace

void add_calibrate_command(CLI::App& live, SetAction set_action) {
  auto args = std::make_shared<CalibrateArgs>();
  auto& o = args->options;
  auto* cmd = live.add_subcommand("calibrate", "Measure a self-hosted endpoint's serving profile (prefill and decode rates by concurrency)");
  cmd->add_option("--base-url", o.endpoint.base_url, "Endpoint base URL, up to the version (e.g. http://127.0.0.1:8000/v1)")->required();
  cmd->add_option("--model", o.model, "Model name to ask for")->required();
  cmd->add_option("--api-key-env", o.endpoint.api_key_env, "Environment variable holding the API key (default: none sent)");
  cmd->add_option("--concurrency", o.concurrency, "Requests in flight at each level, from 1, increasing (default 1,2,4,8)")
      ->delimiter(',')
      ->check(CLI::Range(1, 4096));
  cmd->add_option("--prompt-tokens", o.prompt_tokens, "Prompt length, about (default 512)")->check(CLI::Range(1, 1'000'000));
  cmd->add_option("--max-tokens", o.max_tokens, "Output tokens asked for at most (default 128)")->check(CLI::Range(1, 1'000'000));
  cmd->add_option("--requests", o.requests, "Measured requests per level (default 16; at least the level's concurrency)")
      ->check(CLI::Range(1, 1'000'000));
  cmd->add_option("--time-scale", o.time_scale, "Wall seconds per world second of a `specsim serve` endpoint (default 1: a real one)")
      ->check(CLI::Range(1e-6, 1e3));
  cmd->add_option("-o,--output", args->output, "Profile YAML file to write")->required();
  cmd->callback([args, set_action] { set_action([args] { return calibrate_command(*args); }); });
}

}  // namespace specsim::cli
