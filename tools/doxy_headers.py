#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""doxy_headers.py - prepares the public headers for Doxygen, which makes the API reference.

The headers are written for people: plain C comments above each declaration. Doxygen reads
only its own comment forms, so this copies include/zhcs and include/zhns to OUTDIR and
turns the comments into them on the way, leaving the headers themselves alone:

  - the comment that opens a file becomes its @file description;
  - a comment right above a declaration (typedef, struct, enum, function, #define) becomes
    that declaration's documentation;
  - a comment after a member or enum value on the same line becomes a trailing one (/**<);
  - text that Doxygen would read as commands or markup (\\ @ < > & # %) is escaped.

    tools/doxy_headers.py OUTDIR include/zhcs include/zhns
"""
import os
import re
import sys

COMMENT = re.compile(r"/\*(?!\*)(.*?)\*/", re.S)


def escape(text):
    out = text.replace("\\", "\\\\").replace("@", "\\@").replace("&", "&amp;")
    out = out.replace("<", "&lt;").replace(">", "&gt;").replace("#", "\\#").replace("%", "\\%")
    return out


def convert(src):
    lines = src.split("\n")
    out = []
    i = 0
    first = True
    while i < len(lines):
        line = lines[i]
        stripped = line.lstrip()
        # a comment block starting a line
        if stripped.startswith("/*") and not stripped.startswith("/**"):
            j = i
            while "*/" not in lines[j]:
                j += 1
            block = "\n".join(lines[i:j + 1])
            after = lines[j + 1] if j + 1 < len(lines) else ""
            m = COMMENT.search(block)
            body = m.group(1) if m else ""
            indent = line[: len(line) - len(stripped)]
            rest = block[m.end():] if m else ""
            if body.strip().startswith("SPDX-License-Identifier:"):
                out.append(block)  # the licence line: not the file's description
                i = j + 1
                continue
            if first:
                text = re.sub(r"^\s*[\w/.]+\.h\s+-\s+", "", body, count=1)
                out.append("/** @file\n * " + escape(text).strip() + "\n */" + rest)
                first = False
            elif after.strip() and not after.strip().startswith(("#include", "#if", "#endif", "#else", "}", "/*")):
                out.append(indent + "/**" + escape(body) + "*/" + rest)
            else:
                out.append(block)  # a comment about what follows in general: left as it is
            i = j + 1
            continue
        first = first and not stripped
        # a trailing comment after code on the same line
        m = re.match(r"^(\s*[^/\s].*?[;,{]?\s*)/\*(?!\*)(.*?)\*/\s*$", line)
        if m and not stripped.startswith("#"):
            out.append(m.group(1) + "/**<" + escape(m.group(2)) + "*/")
        else:
            out.append(line)
        i += 1
    return "\n".join(out)


def main(argv):
    if len(argv) < 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    outdir = argv[0]
    for src_dir in argv[1:]:
        name = os.path.basename(os.path.normpath(src_dir))
        os.makedirs(os.path.join(outdir, name), exist_ok=True)
        for f in sorted(os.listdir(src_dir)):
            if not f.endswith(".h"):
                continue
            with open(os.path.join(src_dir, f), encoding="utf-8") as fh:
                text = convert(fh.read())
            with open(os.path.join(outdir, name, f), "w", encoding="utf-8") as fh:
                fh.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
