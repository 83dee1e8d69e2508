#include "models/serving_profile.hpp"

#include <cmath>
#include <filesystem>
#include <string>
#include <utility>

namespace specsim::models {

ServingRates ServingProfile::at(int n) const {
  const ProfileRow& last = rows.back();
  if (n >= last.concurrency) {
    const double share = static_cast<double>(last.concurrency) / n;
    return {last.prefill_tps * share, last.decode_tps * share};
  }
  std::size_t i = 1;
  while (rows[i].concurrency < n) ++i;
  const ProfileRow& lo = rows[i - 1];
  const ProfileRow& hi = rows[i];
  const double w = static_cast<double>(n - lo.concurrency) / (hi.concurrency - lo.concurrency);
  return {lo.prefill_tps + w * (hi.prefill_tps - lo.prefill_tps), lo.decode_tps + w * (hi.decode_tps - lo.decode_tps)};
}

ServingProfile decode_profile(const sim::ConfigNode& node) {
  if (node.is_scalar()) {  // a file of rows, as `specsim live calibrate` writes it
    const auto path = std::filesystem::path(node.file()).parent_path() / node.as<std::string>();
    if (!std::filesystem::is_regular_file(path)) node.fail("no profile file " + path.lexically_normal().string());
    return decode_profile(sim::ConfigNode::load_file(path.lexically_normal().string()));
  }
  if (!node.is_sequence() || node.items().empty())
    node.fail("must be a list of {concurrency, prefill_tps, decode_tps}, concurrency 1 first");
  ServingProfile p;
  for (const sim::ConfigNode& item : node.items()) {
    item.expect_keys({"concurrency", "prefill_tps", "decode_tps"});
    ProfileRow r;
    r.concurrency = item.get_int("concurrency", 1, 1'000'000);
    if (p.rows.empty() && r.concurrency != 1) item.at("concurrency").fail("the first row must be concurrency 1");
    if (!p.rows.empty() && r.concurrency <= p.rows.back().concurrency)
      item.at("concurrency").fail("must be above the previous row's (" + std::to_string(p.rows.back().concurrency) + ")");
    for (const auto& [key, rate] : {std::pair{"prefill_tps", &r.prefill_tps}, std::pair{"decode_tps", &r.decode_tps}}) {
      *rate = item.get_nonneg(key);
      if (!(*rate > 0 && std::isfinite(*rate))) item.at(key).fail("must be a positive number of tokens per second");
    }
    p.rows.push_back(r);
  }
  return p;
}

}  // namespace specsim::models
