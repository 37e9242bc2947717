//===- ValueNames.cpp - Readable names in emitted plan code ---------------===//
#include "ValueNames.h"

#include <map>
#include <regex>

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
  std::map<std::string, std::string> names;
  // `T vN = a::b::callee(` and `T vN;` (a loop's carried value).
  static const std::regex call(R"(\b(v\d+) = (?:[A-Za-z_]\w*::)*(\w+)\()");
  static const std::regex carried(R"(^\s*[\w:]+ (v\d+);$)");
  for (auto it = std::sregex_iterator(cpp.begin(), cpp.end(), call);
       it != std::sregex_iterator(); ++it)
    if (const char *prefix = prefixFor((*it)[2].str()))
      names.emplace((*it)[1].str(), prefix + (*it)[1].str().substr(1));
  // A loop-carried value read at a step (or after the loop).
  static const std::regex held(R"(^\s*[\w:]+ (v\d+) = v\d+;$)");
  // The plan function's (q, k, v).
  static const std::regex signature(
      R"(^[\w:]+ \w+\([\w:]+ (v\d+), [\w:]+ (v\d+), [\w:]+ (v\d+)\) \{$)");
  std::string::size_type begin = 0;
  while (begin < cpp.size()) {
    std::string::size_type end = cpp.find('\n', begin);
    if (end == std::string::npos)
      end = cpp.size();
    std::smatch match;
    std::string line = cpp.substr(begin, end - begin);
    if (std::regex_match(line, match, carried))
      names.emplace(match[1].str(), "carried" + match[1].str().substr(1));
    else if (std::regex_match(line, match, held))
      names.emplace(match[1].str(), "held" + match[1].str().substr(1));
    else if (std::regex_match(line, match, signature))
      for (auto [index, name] :
           {std::pair<int, const char *>{1, "q_in"}, {2, "k_in"}, {3, "v_in"}})
        names.emplace(match[index].str(), name);
    begin = end + 1;
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
