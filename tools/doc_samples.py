#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""doc_samples.py - extracts the C samples of the documentation, so the tests compile them.

Every fenced block opened with ```c in README.md and docs/*.md is a complete program; it is
written to OUTDIR/<doc>_<n>.c (n counts from 1 per document). Blocks in other languages, and
fragments (fenced as ```text), are left alone. Prints the files written, one per line.

    tools/doc_samples.py OUTDIR README.md docs/zhcs.md ...
"""
import os
import re
import sys


def main(argv):
    if len(argv) < 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    out = argv[0]
    os.makedirs(out, exist_ok=True)
    wanted = set()
    for doc in argv[1:]:
        with open(doc, encoding="utf-8") as f:
            text = f.read()
        base = os.path.splitext(os.path.basename(doc))[0].lower()
        for n, m in enumerate(re.finditer(r"^```c[ \t]*\n(.*?)^```[ \t]*$", text, re.S | re.M), 1):
            path = os.path.join(out, "%s_%d.c" % (base, n))
            body = "/* extracted from %s, sample %d: edit the document, not this file */\n%s" % (
                os.path.basename(doc), n, m.group(1))
            old = None
            if os.path.exists(path):
                with open(path, encoding="utf-8") as f:
                    old = f.read()
            if old != body:  # keep timestamps of unchanged samples
                with open(path, "w", encoding="utf-8") as f:
                    f.write(body)
            wanted.add(path)
            print(path)
    for name in os.listdir(out):  # samples removed from the docs go too
        path = os.path.join(out, name)
        if name.endswith(".c") and path not in wanted:
            os.remove(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
