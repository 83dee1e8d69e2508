#include "tools/runner/top_k_fidelity.hpp"

#include <fmt/format.h>

#include <cmath>
#include <map>

namespace specsim::runner {

namespace tr = models::trace;

double saving_bound(double p) { return p / (1 + p); }

TopKFidelity top_k_fidelity(const tr::Trace& trace, const tr::MatchRule& rule) {
  std::map<std::string, std::vector<const tr::Task*>> groups;  // by folder, runs in file order
  for (const tr::Task& task : trace.tasks) {
    const auto slash = task.task_id.rfind('/');
    groups[slash == std::string::npos ? std::string() : task.task_id.substr(0, slash)].push_back(&task);
  }
  TopKFidelity out;
  for (const auto& [group, tasks] : groups) {
    for (int fold = 0; fold < 2; ++fold) {
      std::vector<const tr::Task*> fit_on, held;
      for (std::size_t i = 0; i < tasks.size(); ++i) (static_cast<int>(i % 2) == fold ? held : fit_on).push_back(tasks[i]);
      const tr::TopKRates fit_rates = tr::top_k_rates(fit_on, rule);
      TopKFold f;
      f.group = group;
      f.fold = fold;
      f.runs = static_cast<int>(held.size());
      f.held_out = tr::top_k_rates(held, rule);
      if (fit_rates.guessed == 0 || f.held_out.guessed == 0) continue;
      f.candidates = std::max(fit_rates.candidates, f.held_out.candidates);
      f.fit = tr::fit_top_k_curve(fit_rates);
      out.folds.push_back(f);
    }
  }
  for (const TopKFold& f : out.folds) {
    out.top1_mae += std::abs(f.fit.p1 - f.held_out.p1());
    out.topk_mae += std::abs(f.fit.p(f.held_out.candidates) - f.held_out.pk());
    out.saving_mae += std::abs(saving_bound(f.fit.p(f.held_out.candidates)) - saving_bound(f.held_out.pk()));
  }
  if (!out.folds.empty()) {
    const double n = static_cast<double>(out.folds.size());
    out.top1_mae /= n;
    out.topk_mae /= n;
    out.saving_mae /= n;
  }
  return out;
}

std::string format_top_k_fidelity(const TopKFidelity& f) {
  std::string s = fmt::format("{:<52} {:>4} {:>5} {:>2}  {:>15}  {:>15}  {:>15}\n", "group (fold: held-out runs)", "runs",
                              "steps", "K", "top-1 meas/pred", "top-K meas/pred", "saving meas/pred");
  for (const TopKFold& x : f.folds) {
    const int k = x.held_out.candidates;
    s += fmt::format("{:<52} {:>4} {:>5} {:>2}  {:>7.3f}/{:<7.3f}  {:>7.3f}/{:<7.3f}  {:>7.3f}/{:<7.3f}\n",
                     x.group + " (" + std::to_string(x.fold) + ")", x.runs, x.held_out.guessed, k, x.held_out.p1(),
                     x.fit.p1, x.held_out.pk(), x.fit.p(k), saving_bound(x.held_out.pk()), saving_bound(x.fit.p(k)));
  }
  s += fmt::format("mean absolute error over {} folds: top-1 {:.3f}, top-K {:.3f}, saving bound p/(1+p) {:.3f}\n",
                   f.folds.size(), f.top1_mae, f.topk_mae, f.saving_mae);
  return s;
}

}  // namespace specsim::runner
