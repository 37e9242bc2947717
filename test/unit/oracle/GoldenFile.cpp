//===- GoldenFile.cpp - Reads test/golden/attention.txt -------------------===//
#include "GoldenFile.h"

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace golden {

namespace {

/// Whitespace-separated words of a file, '#' comments skipped, with the
/// line each came from for error messages.
class Words {
public:
  explicit Words(std::istream &in) : in(in) {}

  bool next(std::string &word) {
    while (!(line >> word)) {
      std::string text;
      if (!std::getline(in, text))
        return false;
      ++lineNumber;
      line = std::istringstream(text.substr(0, text.find('#')));
    }
    return true;
  }
  int64_t lineNo() const { return lineNumber; }

private:
  std::istream &in;
  std::istringstream line;
  int64_t lineNumber = 0;
};

bool toInt(const std::string &word, int64_t &value) {
  char *end = nullptr;
  errno = 0;
  value = std::strtoll(word.c_str(), &end, 10);
  return !word.empty() && *end == '\0' && errno == 0;
}

// strtod, not operator>>: the files spell a row that sees no key "-inf".
bool toDouble(const std::string &word, double &value) {
  char *end = nullptr;
  value = std::strtod(word.c_str(), &end);
  return !word.empty() && *end == '\0';
}

class Reader {
public:
  Reader(std::istream &in, std::string &error) : words(in), error(error) {}

  std::vector<Case> read() {
    std::vector<Case> cases;
    std::string word;
    int64_t version = 0;
    if (!expect("distattn-golden") || !integer(version))
      return {};
    if (version != 1)
      return fail("unknown format version " + std::to_string(version));
    while (words.next(word)) {
      if (word != "case")
        return fail("expected 'case', got '" + word + "'");
      Case c;
      if (!readCase(c))
        return {};
      cases.push_back(std::move(c));
    }
    return cases;
  }

private:
  std::vector<Case> fail(const std::string &what) {
    error = "line " + std::to_string(words.lineNo()) + ": " + what;
    return {};
  }
  bool expect(const std::string &keyword) {
    std::string word;
    if (words.next(word) && word == keyword)
      return true;
    fail("expected '" + keyword + "'");
    return false;
  }
  bool integer(int64_t &value) {
    std::string word;
    if (words.next(word) && toInt(word, value))
      return true;
    fail("expected an integer");
    return false;
  }
  bool real(double &value) {
    std::string word;
    if (words.next(word) && toDouble(word, value))
      return true;
    fail("expected a number");
    return false;
  }
  bool oneOf(const std::string &a, const std::string &b, bool &isB) {
    std::string word;
    if (words.next(word) && (word == a || word == b)) {
      isB = word == b;
      return true;
    }
    fail("expected '" + a + "' or '" + b + "'");
    return false;
  }

  bool readCase(Case &c) {
    naive::Problem &p = c.problem;
    naive::Mask &m = p.mask;
    bool isDefault = false;
    std::string kEnd;
    if (!words.next(c.name) || !expect("shape") || !integer(p.batch) ||
        !integer(p.qHeads) || !integer(p.kvHeads) || !integer(p.qLen) ||
        !integer(p.kvLen) || !integer(p.headDim) || !expect("mask") ||
        !oneOf("full", "causal", m.causal) || !integer(m.qOffset) ||
        !integer(m.qStride) || !integer(m.kOffset) || !integer(m.kStride) ||
        !words.next(kEnd) || !expect("scale") ||
        !oneOf("explicit", "default", isDefault) || !real(c.scaleUsed))
      return false;
    if (kEnd != "none") {
      int64_t value = 0;
      if (!toInt(kEnd, value)) {
        fail("expected k_end or 'none'");
        return false;
      }
      m.kEnd = value;
    }
    if (!isDefault)
      p.scale = c.scaleUsed;
    std::string word;
    while (words.next(word) && word == "tensor") {
      std::string name;
      int64_t rank = 0;
      if (!words.next(name) || !integer(rank))
        return false;
      Tensor &t = c.tensors[name];
      int64_t count = 1;
      t.shape.resize(size_t(rank));
      for (int64_t &d : t.shape) {
        if (!integer(d))
          return false;
        count *= d;
      }
      t.data.resize(size_t(count));
      for (double &x : t.data)
        if (!real(x))
          return false;
    }
    if (word != "end") {
      fail("expected 'tensor' or 'end' in case " + c.name);
      return false;
    }
    return true;
  }

  Words words;
  std::string &error;
};

} // namespace

std::vector<Case> readCases(const std::string &path, std::string &error) {
  std::ifstream in(path);
  if (!in) {
    error = "cannot open " + path;
    return {};
  }
  std::vector<Case> cases = Reader(in, error).read();
  if (!error.empty())
    error = path + ": " + error;
  return cases;
}

} // namespace golden
