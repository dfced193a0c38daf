#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Checks the schema facts in schema/*.json (run by ctest as schema_facts).

    tools/schema_check.py schema/hcs.json schema/hcn.json

Every type reference resolves, names are valid C identifiers once mangled, JSON keys are
unique even case-insensitively (parsers fall back to case-insensitive matching), base
types are inlined, every published type is there (the counts match the publication), every
addition says where it was observed, and flag enums carry numeric values. Standard
library only. Exit status 0 when every check passed, 1 otherwise.
"""
import json
import re
import sys

SCALARS = {
    "bool", "string", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
    "double", "Guid", "DateTime", "MacAddress", "ByteArray", "NullableByteArray", "string_binary",
    "Any",
}
MAP_KEYS = {"string", "Guid", "uint8", "uint16", "uint32", "uint64"}
REQUIRED = {
    "hcs": ["ComputeSystem", "Container", "VirtualMachine", "Properties", "Statistics", "ProcessParameters",
            "ProcessStatus", "SystemExitStatus", "CrashReport", "ResultError", "System_PropertyQuery",
            "SystemQuery", "ModifySettingRequest", "ProcessModifyRequest", "SignalProcessOptions",
            "MemoryBackingType"],
    "hcn": ["HostComputeNetwork", "HostComputeEndpoint", "HostComputeNamespace", "HostComputeLoadBalancer",
            "HostComputeQuery", "NamespaceResource", "NamespaceResourceData", "Base", "Version"],
}
IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
VERSION = re.compile(r"^2\.[0-9]+$")


class Checker:
    def __init__(self):
        self.failures = 0
        self.checks = 0

    def check(self, ok, msg):
        self.checks += 1
        if not ok:
            self.failures += 1
            print("FAIL " + msg)
        return ok


def type_refs(t):
    if isinstance(t, str):
        yield t
    elif "array" in t:
        yield from type_refs(t["array"])
    elif "map" in t:
        yield from type_refs(t["map"]["key"])
        yield from type_refs(t["map"]["value"])


def check_file(path, c):
    with open(path) as f:
        doc = json.load(f)
    fam = doc["family"]
    types = doc["types"]
    published = doc["published_counts"]
    n_struct = sum(1 for t in types.values() if t["kind"] == "struct" and "observed" not in t)
    n_enum = sum(1 for t in types.values() if t["kind"] == "enum" and "observed" not in t)
    c.check(n_struct == published["structs"], "%s: %d published structs, expected %d" % (fam, n_struct, published["structs"]))
    c.check(n_enum == published["enums"], "%s: %d published enums, expected %d" % (fam, n_enum, published["enums"]))
    for name in REQUIRED[fam]:
        c.check(name in types, "%s: required type %s missing" % (fam, name))

    for name, t in types.items():
        where = "%s:%s" % (fam, name)
        c.check(IDENT.match(name) is not None, where + ": type name is not an identifier")
        c.check(t["kind"] in ("struct", "enum"), where + ": kind must be struct or enum")
        if t["kind"] == "enum":
            names = [v["name"] for v in t["values"]]
            c.check(len(names) > 0, where + ": enum without values")
            c.check(len(set(n.lower() for n in names)) == len(names), where + ": duplicate enum names")
            for v in t["values"]:
                c.check(IDENT.match(v["name"]) is not None, "%s.%s: not an identifier" % (where, v["name"]))
                c.check(VERSION.match(v["since"]) is not None, "%s.%s: bad since %r" % (where, v["name"], v["since"]))
            if t.get("flags"):
                for v in t["values"]:
                    val = v.get("value")
                    if c.check(isinstance(val, int), "%s.%s: flag without a numeric value" % (where, v["name"])):
                        c.check(val == 0 or val & (val - 1) == 0, "%s.%s: flag value %d is not a single bit" % (where, v["name"], val))
            valued = [v["value"] for v in t["values"] if "value" in v]
            c.check(len(set(valued)) == len(valued), where + ": duplicate numeric values")
            continue
        keys = [f["name"] for f in t["fields"]]
        c.check(len(set(k.lower() for k in keys)) == len(keys), where + ": JSON keys collide case-insensitively")
        for f in t["fields"]:
            fw = "%s.%s" % (where, f["name"])
            c.check(IDENT.match(f["name"]) is not None, fw + ": JSON key is not an identifier")
            c.check(VERSION.match(f["since"]) is not None, fw + ": bad since %r" % f["since"])
            for ref in type_refs(f["type"]):
                c.check(ref in SCALARS or ref in types, fw + ": unknown type %r" % ref)
            if isinstance(f["type"], dict) and "map" in f["type"]:
                c.check(f["type"]["map"]["key"] in MAP_KEYS, fw + ": unsupported map key type")
            if isinstance(f["type"], dict) and "length" in f["type"]:
                c.check(isinstance(f["type"]["length"], int) and f["type"]["length"] > 0, fw + ": bad fixed length")
        if "base" in t:
            base = types.get(t["base"])
            if c.check(base is not None and base["kind"] == "struct", where + ": base %s is not a struct" % t["base"]):
                bk = [f["name"] for f in base["fields"]]
                c.check(keys[:len(bk)] == bk, where + ": base %s fields are not inlined first" % t["base"])
    return len(types)


def selftest():
    """The checker must reject broken facts: returns 0 when it does."""
    import os
    import tempfile
    bad = {
        "family": "hcn", "c_prefix": "zhns", "published_counts": {"structs": 2, "enums": 1},
        "types": {
            "Good": {"kind": "struct", "fields": [{"name": "A", "type": "uint32", "since": "2.0"}]},
            "Dangling": {"kind": "struct", "fields": [{"name": "B", "type": "NoSuchType", "since": "2.0"},
                                                        {"name": "b", "type": "string", "since": "2.0"}]},
            "Bits": {"kind": "enum", "flags": True, "values": [{"name": "None", "since": "2.0", "value": 0},
                                                                 {"name": "Three", "since": "2.0", "value": 3},
                                                                 {"name": "Missing", "since": "x"}]},
        },
    }
    expected = ["unknown type 'NoSuchType'", "collide case-insensitively", "not a single bit",
                "flag without a numeric value", "bad since", "required type HostComputeNetwork missing"]
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "bad.json")
        with open(path, "w") as f:
            json.dump(bad, f)
        import io
        import contextlib
        out = io.StringIO()
        c = Checker()
        with contextlib.redirect_stdout(out):
            check_file(path, c)
    text = out.getvalue()
    missing = [e for e in expected if e not in text]
    for e in missing:
        print("selftest: the checker did not report: " + e)
    print("%d passed, %d failed" % (len(expected) - len(missing), len(missing)))
    return 1 if missing else 0


def main():
    if sys.argv[1:] == ["--selftest"]:
        return selftest()
    c = Checker()
    total = 0
    for path in sys.argv[1:]:
        total += check_file(path, c)
    print("schema facts: %d types, %d checks" % (total, c.checks))
    print("%d passed, %d failed" % (c.checks - c.failures, c.failures))
    return 1 if c.failures or not sys.argv[1:] else 0


if __name__ == "__main__":
    sys.exit(main())
