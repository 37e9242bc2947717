#!/usr/bin/env python3
"""Shows that each numerics RUN line fails when nothing is planned.

  check-numerics-pinned.py --dattn-run PATH --dattn-opt PATH TEST...

A numerics test compares a planned program with the unplanned one, and a
planner that does nothing matches trivially: only the rank count a RUN
line's FileCheck prefix (N<R>) pins tells the two apart. For each RUN line
with an N<R> prefix this script replaces the planning pipeline with
`canonicalize`, runs what feeds FileCheck (which must still succeed), then
FileCheck, which must fail at the check that pins R: `x R ranks`, or for
one rank the planned module's `shape = 1` grid. Prints one line a test and
exits 1 on any RUN line that still passes or fails for another reason.
Python 3 standard library only; FileCheck comes from PATH or --filecheck.
"""
import argparse
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile

PREFIX = re.compile(r"--check-prefix[= ]N(\d+)\b")
PIPELINE = re.compile(r"--compare-pipeline='[^']*'|"
                      r"--pass-pipeline='builtin\.module\([^']*\)'")


def run_lines(path):
    lines = path.read_text().splitlines()
    runs, pending = [], ""
    for number, text in enumerate(lines, 1):
        m = re.search(r"\bRUN:(.*)$", text)
        if not m:
            continue
        body = m.group(1).strip()
        if body.endswith("\\"):
            pending += body[:-1] + " "
            continue
        runs.append((number, pending + body))
        pending = ""
    return runs


def without_planning(command):
    def identity(m):
        if m.group(0).startswith("--compare-pipeline"):
            return "--compare-pipeline='canonicalize'"
        return "--pass-pipeline='builtin.module(canonicalize)'"
    return PIPELINE.sub(identity, command)


def substitute(command, test, tmp, tools):
    command = command.replace("%s", str(test)).replace("%S", str(test.parent))
    command = command.replace("%t", str(pathlib.Path(tmp) / test.name))
    for name, path in tools.items():
        command = re.sub(r"(?<![\w./-])%s(?![\w.-])" % re.escape(name),
                         path, command)
    return command


def check_run(test, number, command, tools, tmp):
    """An error message, or None when the RUN line fails as it should."""
    ranks = int(PREFIX.search(command).group(1))
    if not PIPELINE.search(command):
        return "RUN line %d: no planning pipeline to replace" % number
    producer, _, filecheck = without_planning(command).rpartition("|")
    if not filecheck.strip().startswith("FileCheck"):
        return "RUN line %d: does not end in FileCheck" % number
    producer = substitute(producer, test, tmp, tools)
    filecheck = substitute(filecheck, test, tmp, tools)
    made = subprocess.run(["bash", "-o", "pipefail", "-c", producer],
                          capture_output=True, text=True)
    if made.returncode != 0:
        return ("RUN line %d: without planning, the command before FileCheck "
                "fails (exit %d), so the check is never reached:\n%s"
                % (number, made.returncode, made.stderr[-2000:]))
    checked = subprocess.run(["bash", "-c", filecheck], input=made.stdout,
                             capture_output=True, text=True)
    if checked.returncode == 0:
        return ("RUN line %d: passes without planning: N%d pins nothing"
                % (number, ranks))
    # FileCheck names the failing check, then quotes its line.
    error = re.search(r"error: N%d(?:-COUNT)?: [^\n]*\n([^\n]*)" % ranks,
                      checked.stderr)
    pin = "x %d ranks" % ranks if ranks > 1 else "(shape = 1)"
    if not error or pin not in error.group(1):
        return ("RUN line %d: fails without planning, but not at the check "
                "of '%s':\n%s" % (number, pin, checked.stderr[-2000:]))
    return None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--dattn-run", required=True)
    parser.add_argument("--dattn-opt", required=True)
    parser.add_argument("--filecheck", default=shutil.which("FileCheck"))
    parser.add_argument("tests", nargs="+", type=pathlib.Path)
    args = parser.parse_args()
    if not args.filecheck:
        parser.error("FileCheck is not on PATH; give --filecheck")
    tools = {"dattn-run": args.dattn_run, "dattn-opt": args.dattn_opt,
             "FileCheck": args.filecheck}
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        for test in args.tests:
            pinned = [(n, c) for n, c in run_lines(test) if PREFIX.search(c)]
            if not pinned:
                print("%s: no RUN line with an N<ranks> prefix" % test.name)
                failures += 1
                continue
            errors = [e for e in (check_run(test, n, c, tools, tmp)
                                  for n, c in pinned) if e]
            for error in errors:
                print("%s: %s" % (test, error))
            failures += len(errors)
            ranks = sorted({int(PREFIX.search(c).group(1)) for _, c in pinned})
            print("%s: %d of %d RUN lines fail without planning, at the rank "
                  "count (N in {%s})" % (test.name, len(pinned) - len(errors),
                                         len(pinned),
                                         ", ".join(map(str, ranks))))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
