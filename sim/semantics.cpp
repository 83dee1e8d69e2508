#include "sim/semantics.hpp"

#include "sim/registry.hpp"

namespace specsim::sim {

namespace {

const char* name(CancelRule r) { return r == CancelRule::eager ? "eager" : "in_order"; }
const char* name(TerminateGuess g) { return g == TerminateGuess::stops ? "stops" : "only_if_right"; }
const char* name(RetryBilling b) { return b == RetryBilling::bill_each ? "bill_each" : "fold"; }

}  // namespace

Semantics decode_semantics(const ConfigNode& node) {
  node.expect_keys({"cancel", "terminate_guess", "retries", "top_k"});
  using C = Registry<CancelRule>;
  using T = Registry<TerminateGuess>;
  using R = Registry<RetryBilling>;
  static const C cancel{"cancel rule", {{"eager", C::constant(CancelRule::eager)},
                                        {"in_order", C::constant(CancelRule::in_order)}}};
  static const T terminate{"terminate-guess rule", {{"stops", T::constant(TerminateGuess::stops)},
                                                    {"only_if_right", T::constant(TerminateGuess::only_if_right)}}};
  static const R retries{"retry billing", {{"bill_each", R::constant(RetryBilling::bill_each)},
                                           {"fold", R::constant(RetryBilling::fold)}}};
  Semantics s;
  if (auto v = node.find("cancel")) s.cancel = cancel.decode(*v);
  if (auto v = node.find("terminate_guess")) s.terminate_guess = terminate.decode(*v);
  if (auto v = node.find("retries")) s.retries = retries.decode(*v);
  if (auto v = node.find("top_k")) s.top_k = decode_speculation_tree(*v);
  return s;
}

std::string describe(const Semantics& s) {
  return std::string("cancel=") + name(s.cancel) + " terminate_guess=" + name(s.terminate_guess) +
         " retries=" + name(s.retries) + (s.top_k.candidates > 1 ? " " + describe(s.top_k) : "");
}

}  // namespace specsim::sim
