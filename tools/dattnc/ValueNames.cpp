//===- ValueNames.cpp - Readable names in emitted plan code ---------------===//
#include "ValueNames.h"

#include <map>
#include <regex>
#include <sstream>

namespace {

/// What a runtime call's result is, by the call's name.
const char *prefixFor(const std::string &callee) {
  static const std::map<std::string, const char *> prefixes = {
      {"linear_index", "rank"},
      {"grid_index", "coord"},
      {"extract_slice", "slice"},
      {"insert_slice", "placed"},
      {"pad", "padded"},
      {"splat", "zeros"},
      {"micro_attention", "tile"},
      {"merge", "merged"},
      {"micro_attention_into", "merged"},
      {"empty_state", "state"},
      {"as_state", "partial"},
      {"finalize_out", "out"},
      {"finalize_lse", "lse"},
      {"prepare_shift", "send"},
      {"prepare_all_gather", "gather"},
      {"received", "arrived"},
      {"all_to_all", "exchanged"},
      {"all_reduce_sum", "assembled"},
      {"upload", "input"}};
  auto found = prefixes.find(callee);
  return found == prefixes.end() ? nullptr : found->second;
}

} // namespace

std::string distattn::nameValues(const std::string &cpp) {
  // One statement a line (translateToCpp's layout):
  // `T vN = a::b::callee(...)`, a runtime call's result;
  static const std::regex call(R"(\b(v\d+) = (?:[A-Za-z_]\w*::)*(\w+)\()");
  // `T vN;`, a loop's carried value, and `T vN = vM;`, its copy at a step
  // (or after the loop);
  static const std::regex carried(R"(^\s*[\w:]+ (v\d+);$)");
  static const std::regex held(R"(^\s*[\w:]+ (v\d+) = v\d+;$)");
  // the plan function's (q, k, v).
  static const std::regex signature(
      R"(^[\w:]+ \w+\([\w:]+ (v\d+), [\w:]+ (v\d+), [\w:]+ (v\d+)\) \{$)");
  std::map<std::string, std::string> names;
  auto name = [&](const std::string &value, const char *prefix) {
    names.emplace(value, prefix + value.substr(1));
  };
  std::istringstream lines(cpp);
  for (std::string line; std::getline(lines, line);) {
    std::smatch match;
    if (std::regex_search(line, match, call)) {
      if (const char *prefix = prefixFor(match[2].str()))
        name(match[1].str(), prefix);
    } else if (std::regex_match(line, match, carried)) {
      name(match[1].str(), "carried");
    } else if (std::regex_match(line, match, held)) {
      name(match[1].str(), "held");
    } else if (std::regex_match(line, match, signature)) {
      for (auto [index, input] :
           {std::pair<int, const char *>{1, "q_in"}, {2, "k_in"}, {3, "v_in"}})
        names.emplace(match[index].str(), input);
    }
  }
  static const std::regex token(R"(\bv\d+\b)");
  std::string result;
  std::string::const_iterator last = cpp.begin();
  for (auto it = std::sregex_iterator(cpp.begin(), cpp.end(), token);
       it != std::sregex_iterator(); ++it) {
    result.append(last, cpp.begin() + it->position());
    auto found = names.find(it->str());
    result += found == names.end() ? it->str() : found->second;
    last = cpp.begin() + it->position() + it->length();
  }
  result.append(last, cpp.end());
  return result;
}
