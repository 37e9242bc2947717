#!/usr/bin/env python3
"""Flags FileCheck checks in lit tests that cannot fail.

  check-lit-tests.py [PATH ...]    (default: the test/ folder of this tree)

Reads every .mlir test under PATH (Inputs folders are not tests: lit skips
them too) and prints `file:line: message` for each of:

  swallow   a -NOT check whose text a regex of the check before it can
            match: that check's match may hold the forbidden text, which
            the -NOT never sees (`op %{{.+}} :` then `CHECK-NOT: mask`).
  optional  a regex with an optional group, `{{( x [0-9]+ ranks)?}}`:
            the check passes whether or not the text is printed.
  ranks     a rank count written as a regex (`x {{[0-9]+}} ranks`), or a
            dattn-run --compare-pipeline RUN line planning `ranks=R` whose
            prefix never names R (`x R ranks`; for one rank, the planned
            module's grid `(shape = 1)`).
  stderr    a -NOT check for diagnostics or reports (written to stderr)
            on a RUN line that pipes only stdout into FileCheck.
  unused    a RUN line's FileCheck prefix with no check lines, or check
            lines whose prefix no RUN line uses.

Exits 1 when anything is flagged. Python 3 standard library only.
"""
import pathlib
import re
import shlex
import sys

SUFFIXES = r"(?:-NEXT|-SAME|-NOT|-LABEL|-DAG|-EMPTY|-COUNT-\d+)"
# Comment-leading words that are lit keywords or prose, not prefixes.
NOT_PREFIXES = {"RUN", "REQUIRES", "UNSUPPORTED", "XFAIL", "ALLOW_RETRIES",
                "DEFINE", "REDEFINE", "END", "NOTE", "TODO", "FIXME"}
# FileCheck options whose value may follow as the next word.
VALUE_OPTIONS = {"--check-prefix", "-check-prefix", "--check-prefixes",
                 "-check-prefixes", "--input-file", "-input-file", "-D",
                 "--implicit-check-not", "-implicit-check-not",
                 "--dump-input", "-dump-input"}
# What a tool writes on stderr: MLIR diagnostics and the verifier's report.
STDERR_TEXT = re.compile(r"\b(error|warning|remark|note):|dattn-verify-plan:")


class Check:
    def __init__(self, line, prefix, kind, pattern):
        self.line, self.prefix, self.kind, self.pattern = (
            line, prefix, kind, pattern)


def split_pattern(pattern):
    """Splits a check pattern into ('lit', text), ('re', regex) and
    ('var', name[:regex]) pieces."""
    pieces = []
    pos = 0
    for m in re.finditer(r"\{\{(.*?)\}\}|\[\[(.*?)\]\]", pattern):
        if m.start() > pos:
            pieces.append(("lit", pattern[pos:m.start()]))
        if m.group(1) is not None:
            pieces.append(("re", m.group(1)))
        else:
            pieces.append(("var", m.group(2)))
        pos = m.end()
    if pos < len(pattern):
        pieces.append(("lit", pattern[pos:]))
    return pieces


def parse_class(body):
    """The set of characters of a bracket expression's body (after '[')."""
    chars = set()
    i = 0
    while i < len(body):
        if i + 2 < len(body) and body[i + 1] == "-":
            first, last = ord(body[i]), ord(body[i + 2])
            chars.update(chr(c) for c in range(first, last + 1))
            i += 3
        else:
            chars.add(body[i])
            i += 1
    return chars


def repeated_classes(regex):
    """(negated, chars) for each unboundedly repeated atom of `regex`; an
    atom that matches anything is (True, empty set)."""
    classes = []
    atoms = r"(\[\^?\]?[^\]]*\]|\\[dwsDWS]|\.)(?=[*+]|\{\d+,\})"
    for m in re.finditer(atoms, regex):
        atom = m.group(1)
        if atom == ".":
            classes.append((True, set()))
        elif atom.startswith("\\"):
            named = {"d": set("0123456789"),
                     "w": set("abcdefghijklmnopqrstuvwxyz"
                              "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_"),
                     "s": set(" \t")}[atom[1].lower()]
            classes.append((atom[1].isupper(), named))
        elif atom.startswith("[^"):
            classes.append((True, parse_class(atom[2:-1])))
        else:
            classes.append((False, parse_class(atom[1:-1])))
    # A group repeated as a whole, `(...)*`, may match anything its body does.
    if re.search(r"\)[*+]", regex) and not classes:
        classes.append((True, set()))
    return classes


def covers(cls, text):
    negated, chars = cls
    if negated:
        return not any(c in chars for c in text)
    return all(c in chars for c in text)


def pattern_regexes(pattern):
    """(regex, the literal text right after it) for each regex of a check,
    captures `[[X:regex]]` included."""
    pieces = split_pattern(pattern) + [("lit", "")]
    regexes = []
    for (kind, text), (next_kind, next_text) in zip(pieces, pieces[1:]):
        if kind == "var" and ":" in text and not text.startswith("#"):
            kind, text = "re", text.split(":", 1)[1]
        if kind == "re":
            regexes.append((text, next_text if next_kind == "lit" else ""))
    return regexes


def swallowing_regexes(pattern):
    # A result list, `%[[X:.+]] = op`: an op's name follows its results once
    # on a line, so the regex holds result names only.
    return [regex for regex, after in pattern_regexes(pattern)
            if not re.match(r" = [\w.]+", after)]


def literal_text(pattern):
    return "".join(t for k, t in split_pattern(pattern) if k == "lit").strip()


def is_optional(regex):
    return bool(re.search(r"\)\?|\)\*|\(\||\|\)|\{0,", regex))


class TestFile:
    def __init__(self, path):
        self.path = path
        self.lines = path.read_text().splitlines()
        self.problems = []

    def report(self, line, message):
        self.problems.append((line, message))

    def run_lines(self):
        """(line number, command) with continuation lines joined."""
        runs, pending, start = [], None, 0
        for number, text in enumerate(self.lines, 1):
            m = re.search(r"\bRUN:(.*)$", text)
            if not m:
                continue
            body = m.group(1).strip()
            if pending is None:
                pending, start = "", number
            if body.endswith("\\"):
                pending += body[:-1] + " "
                continue
            runs.append((start, pending + body))
            pending = None
        return runs

    def checks(self, prefixes):
        """The check lines of `prefixes`, in file order."""
        if not prefixes:
            return []
        names = "|".join(re.escape(p) for p in prefixes)
        directive = re.compile(r"(?<![\w-])(%s)(%s)?:(.*)$"
                               % (names, SUFFIXES))
        found = []
        for number, text in enumerate(self.lines, 1):
            if re.search(r"\bRUN:", text):
                continue
            m = directive.search(text)
            if m:
                found.append(Check(number, m.group(1), m.group(2) or "",
                                   m.group(3).strip()))
        return found


def filecheck_calls(command):
    """(check file, prefixes, producer) for each FileCheck in a RUN line that
    reads its input from a pipe; the producer is the command text before."""
    calls = []
    filecheck = r"(?:^|[|&;]\s*)(?:not\s+)?FileCheck\b([^|&;]*)"
    for m in re.finditer(filecheck, command):
        try:
            words = shlex.split(m.group(1))
        except ValueError:
            words = m.group(1).split()
        check_file, prefixes, i = None, [], 0
        while i < len(words):
            word = words[i]
            name, _, value = word.partition("=")
            if word in VALUE_OPTIONS:
                value, i = words[i + 1] if i + 1 < len(words) else "", i + 1
                name = word
            if name.lstrip("-") in ("check-prefix", "check-prefixes"):
                prefixes += [p for p in value.split(",") if p]
            elif not word.startswith("-") and check_file is None:
                check_file = word
            i += 1
        # Input from a file (--input-file, <) comes from no pipe.
        producer = ("" if "input-file" in m.group(1) or "<" in m.group(1)
                    else command[:m.start()])
        calls.append((check_file, prefixes or ["CHECK"], producer))
    return calls


def resolve(check_file, test):
    if check_file is None:
        return None
    if check_file == "%s":
        return test.path
    if check_file.startswith("%S/"):
        return test.path.parent / check_file[3:]
    return None  # a file the RUN line writes (%t): not known here


def check_swallow(test, stream):
    previous = None
    for check in stream:
        if check.kind != "-NOT":
            previous = check
            continue
        if previous is None:
            continue
        forbidden = literal_text(check.pattern)
        if not forbidden:
            continue
        for regex in swallowing_regexes(previous.pattern):
            if any(covers(cls, forbidden) for cls in repeated_classes(regex)):
                test.report(check.line, "swallow: '{{%s}}' in the check on "
                            "line %d can match '%s', which this -NOT then "
                            "never sees; match that part with a class that "
                            "excludes it" % (regex, previous.line, forbidden))
                break


def check_patterns(test, stream):
    for check in stream:
        for regex, _ in pattern_regexes(check.pattern):
            if is_optional(regex):
                test.report(check.line, "optional: '{{%s}}' may match "
                            "nothing, so the check passes without that text; "
                            "write it out" % regex)
        if re.search(r"x \{\{[^}]*\}\} ranks", check.pattern):
            test.report(check.line,
                        "ranks: the rank count is a regex; write the count "
                        "the RUN line plans for")


def planned_ranks(command):
    """R of a numerics RUN line's `ranks=R`: dattn-run comparing a plan
    made by its --compare-pipeline or by dattn-opt's --pass-pipeline."""
    m = re.search(r"--(?:compare|pass)-pipeline=('[^']*'|\"[^\"]*\"|\S+)",
                  command)
    if not m or "dattn-run" not in command:
        return None
    ranks = re.search(r"\branks=(\d+)", m.group(1))
    return int(ranks.group(1)) if ranks else None


def check_file(path):
    test = TestFile(path)
    used = set()
    seen_streams = set()
    for number, command in test.run_lines():
        for check_path, prefixes, producer in filecheck_calls(command):
            target = resolve(check_path, test)
            if target is None or not target.exists():
                continue
            checked = test if target == path else TestFile(target)
            if target == path:
                used.update(prefixes)
            stream = checked.checks(prefixes)
            for prefix in prefixes:
                if not any(c.prefix == prefix for c in stream):
                    test.report(number, "unused: FileCheck prefix %s has no "
                                "check lines in %s" % (prefix, target.name))
            if target != path:
                continue
            key = tuple(sorted(prefixes))
            if key not in seen_streams:
                seen_streams.add(key)
                check_swallow(test, stream)
            piped_stdout_only = producer and not re.search(r"2>&1|\|&",
                                                           producer)
            if piped_stdout_only:
                for c in stream:
                    if c.kind == "-NOT" and STDERR_TEXT.search(c.pattern):
                        test.report(c.line, "stderr: this -NOT looks for "
                                    "stderr text, but RUN line %d pipes only "
                                    "stdout into FileCheck" % number)
            ranks = planned_ranks(producer)
            if ranks is None:
                continue
            # dattn-run prints no count for one rank: the planned module's
            # grid must say it.
            wants = (["x %d ranks" % ranks] if ranks != 1
                     else ["x 1 ranks", "(shape = 1)"])
            if not any(want in c.pattern for c in stream for want in wants):
                test.report(number, "ranks: the pipeline plans ranks=%d but "
                            "no check of %s says '%s'"
                            % (ranks, ",".join(prefixes), wants[-1]))
    check_patterns(test, test.checks(used))
    # Without a FileCheck of this file, `// S1:` names something else (a
    # constraint of Spec.md in invalid.mlir).
    for number, text in enumerate(test.lines if used else [], 1):
        m = re.match(r"\s*//\s*([A-Z][A-Z0-9_]*(?:-[A-Z0-9_]+)*?)(%s)?:(\s|$)"
                     % SUFFIXES, text)
        if m and m.group(1) not in NOT_PREFIXES and m.group(1) not in used:
            test.report(number, "unused: no RUN line checks prefix %s"
                        % m.group(1))
    return test


def main(argv):
    roots = [pathlib.Path(a) for a in argv] or [
        pathlib.Path(__file__).resolve().parent.parent / "test"]
    files = []
    for root in roots:
        if root.is_file():
            files.append(root)
        else:
            files += sorted(p for p in root.rglob("*.mlir")
                            if "Inputs" not in p.relative_to(root).parts)
    problems = 0
    for path in files:
        test = check_file(path)
        for line, message in sorted(set(test.problems)):
            print("%s:%d: %s" % (path, line, message))
            problems += 1
    if problems:
        print("%d problem(s) in lit tests" % problems)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
