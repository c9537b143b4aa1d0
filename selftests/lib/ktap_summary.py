#!/usr/bin/env python3
"""Count the results of a (nested) KTAP stream and print the closing line.

usage: ktap_summary.py [FILE]     (default: stdin)

A test case is a result line with no subtests of its own (a leaf). A parent
that reports "not ok" although none of its subtests failed - a test program
that crashed, a VM whose kernel splatted - counts as one failure too, so no
failure is ever lost by the nesting. Prints "N passed, N failed, N skipped"
and exits 1 when anything failed or when no test ran at all.
"""
import re
import sys
from collections import defaultdict

RESULT = re.compile(r"^(?P<indent>\s*)(?P<ok>ok|not ok)\s+\d+\b(?P<rest>.*)$")


def summarize(lines):
    passed = failed = skipped = 0
    results_below = defaultdict(int)   # results at depth d since its parent
    failures_below = defaultdict(int)  # failures at depth d since its parent
    for line in lines:
        m = RESULT.match(line.rstrip("\n"))
        if not m:
            continue
        depth = len(m.group("indent").expandtabs(8)) // 4
        ok = m.group("ok") == "ok"
        skip = re.search(r"#\s*SKIP\b", m.group("rest"), re.I) is not None
        has_children = results_below[depth + 1] > 0
        child_failures = failures_below[depth + 1]
        # Everything deeper is closed now, including subtests of a child
        # that never printed its own result (a run cut off mid-test).
        for d in [d for d in results_below if d > depth]:
            results_below[d] = failures_below[d] = 0
        results_below[depth] += 1
        if not ok:
            failures_below[depth] += 1
        if has_children:
            if not ok and child_failures == 0:
                failed += 1
            continue
        if not ok:
            failed += 1
        elif skip:
            skipped += 1
        else:
            passed += 1
    return passed, failed, skipped


def main():
    src = open(sys.argv[1]) if len(sys.argv) > 1 else sys.stdin
    passed, failed, skipped = summarize(src)
    print(f"{passed} passed, {failed} failed, {skipped} skipped")
    return 1 if failed or passed + failed == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
