//===- TopologyFile.cpp - A topology file for the trace simulator ---------===//
#include "TopologyFile.h"

#include <cctype>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>

namespace distattn::rblock::sim {

namespace {

/// A JSON value: enough of JSON for topology files (objects, arrays,
/// strings without escapes beyond \", numbers, true/false/null).
struct Value {
  enum Kind { Null, Bool, Number, String, Array, Object } kind = Null;
  double number = 0;
  std::string text;
  std::map<std::string, std::shared_ptr<Value>> fields;
};

class Parser {
public:
  explicit Parser(const std::string &text) : s(text) {}

  bool parse(Value &v, std::string &error) {
    if (!value(v) || (space(), at != s.size())) {
      std::ostringstream os;
      os << "malformed JSON at byte " << at;
      error = os.str();
      return false;
    }
    return true;
  }

private:
  void space() {
    while (at < s.size() && std::isspace(static_cast<unsigned char>(s[at])))
      ++at;
  }
  bool eat(char c) {
    space();
    if (at < s.size() && s[at] == c) {
      ++at;
      return true;
    }
    return false;
  }
  bool string(std::string &out) {
    if (!eat('"'))
      return false;
    while (at < s.size() && s[at] != '"') {
      if (s[at] == '\\' && at + 1 < s.size())
        ++at;
      out += s[at++];
    }
    return eat('"');
  }
  bool value(Value &v) {
    space();
    if (at >= s.size())
      return false;
    char c = s[at];
    if (c == '{') {
      v.kind = Value::Object;
      ++at;
      if (eat('}'))
        return true;
      do {
        std::string key;
        auto field = std::make_shared<Value>();
        if (!string(key) || !eat(':') || !value(*field))
          return false;
        v.fields[key] = field;
      } while (eat(','));
      return eat('}');
    }
    if (c == '[') {
      v.kind = Value::Array;
      ++at;
      if (eat(']'))
        return true;
      do {
        Value element;
        if (!value(element))
          return false;
      } while (eat(','));
      return eat(']');
    }
    if (c == '"') {
      v.kind = Value::String;
      return string(v.text);
    }
    for (const char *word : {"true", "false", "null"})
      if (s.compare(at, std::string(word).size(), word) == 0) {
        v.kind = word[0] == 'n' ? Value::Null : Value::Bool;
        at += std::string(word).size();
        return true;
      }
    char *end = nullptr;
    v.number = std::strtod(s.c_str() + at, &end);
    if (end == s.c_str() + at)
      return false;
    v.kind = Value::Number;
    at = size_t(end - s.c_str());
    return true;
  }

  std::string s;
  size_t at = 0;
};

/// The positive number at `path` ("gpu.memory_gib"), or an error naming it.
bool number(const Value &root, const std::string &path, double &out,
            std::string &error) {
  const Value *v = &root;
  size_t start = 0;
  while (true) {
    size_t dot = path.find('.', start);
    std::string key = path.substr(start, dot - start);
    auto it = v->kind == Value::Object ? v->fields.find(key) : v->fields.end();
    if (it == v->fields.end()) {
      error = "field '" + path + "' is missing";
      return false;
    }
    v = it->second.get();
    if (dot == std::string::npos)
      break;
    start = dot + 1;
  }
  if (v->kind != Value::Number || !(v->number > 0)) {
    error = "field '" + path + "' must be a positive number";
    return false;
  }
  out = v->number;
  return true;
}

} // namespace

bool readTopologyFile(const std::string &path, ClusterTopology &t,
                      std::string &error) {
  std::ifstream in(path);
  if (!in) {
    error = "cannot read '" + path + "'";
    return false;
  }
  std::stringstream text;
  text << in.rdbuf();
  Value root;
  std::string why;
  Parser parser(text.str());
  double nodes = 0, gpus = 0, latency = 0;
  bool ok = parser.parse(root, why) && number(root, "nodes", nodes, why) &&
            number(root, "gpus_per_node", gpus, why) &&
            number(root, "gpu.memory_gib", t.gpuMemoryGiB, why) &&
            number(root, "intra_node_link.bandwidth_gbps",
                   t.intraNode.gbPerSecond, why) &&
            number(root, "intra_node_link.latency_us", latency, why);
  t.intraNode.latencySeconds = latency * 1e-6;
  ok = ok &&
       number(root, "inter_node_link.bandwidth_gbps", t.interNode.gbPerSecond,
              why) &&
       number(root, "inter_node_link.latency_us", latency, why);
  t.interNode.latencySeconds = latency * 1e-6;
  if (!ok) {
    error = "topology '" + path + "': " + why;
    return false;
  }
  t.nodes = int32_t(nodes);
  t.gpusPerNode = int32_t(gpus);
  auto name = root.fields.find("name");
  t.name = name != root.fields.end() && name->second->kind == Value::String
               ? name->second->text
               : path;
  return true;
}

} // namespace distattn::rblock::sim
