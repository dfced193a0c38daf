#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Writes schema/hcs.json and schema/hcn.json: the project's own description of every HCS
and HCN schema type, from a reference list of the published types plus what real Windows
sends that the publication misses.

    tools/schema_import.py --hcs HCS_REFERENCE.json --hcn HCN_REFERENCE.json [--out schema]

This is a one-off import kept for provenance: the build and the tests read only the files
it writes (schema/*.json), which are committed. Each addition is marked with an "observed"
note saying where it was seen. Standard library only.

Format of schema/<family>.json:
  {"family": "hcs"|"hcn", "c_prefix": "zhcs"|"zhns", "schema_versions": {...},
   "types": {NAME: TYPE, ...}}
  TYPE = {"kind": "struct", "fields": [FIELD, ...], "base": NAME?}   base fields are inlined
       | {"kind": "enum", "values": [{"name": N, "since": V, "value": INT?}, ...],
          "flags": bool?, "emit": "name"|"number"?}
  FIELD = {"name": JSON_KEY, "type": T, "since": VERSION, "observed": TEXT?}
  T = scalar | NAME | {"array": T, "length": N?} | {"map": {"key": K, "value": T}}
  scalar = bool string int8 int16 int32 int64 uint8 uint16 uint32 uint64 double
           Guid DateTime MacAddress ByteArray NullableByteArray string_binary Any
"""
import argparse
import json
import os
import sys

SCALARS = {
    "bool", "string", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
    "double", "Guid", "DateTime", "MacAddress", "ByteArray", "NullableByteArray", "string_binary",
    "Any",
}

# ---------------------------------------------------------------- additions
HCS_ADDED_TYPES = {
    "MemoryBackingType": {
        "kind": "enum",
        "values": [{"name": "Physical", "since": "2.0"}, {"name": "Virtual", "since": "2.0"},
                   {"name": "Hybrid", "since": "2.0"}],
        "observed": "hcsshim schema2 MemoryBackingType; sent by Windows in VM documents",
    },
}
HCS_ADDED_FIELDS = {
    "VirtualMachine_Memory": [
        {"name": "Backing", "type": "MemoryBackingType", "since": "2.0",
         "observed": "hcsshim schema2 VirtualMachineMemory.Backing; VirtualMachine.ComputeTopology.Memory.Backing in real VM documents"},
    ],
}

HCN_ADDED_TYPES = {
    "NamespaceResourceData": {
        "kind": "struct",
        "fields": [{"name": "ID", "type": "Guid", "since": "2.0"}],
        "observed": "HCN namespace replies: Resources[].Data.ID names the attached endpoint or container (hcsshim reads it)",
    },
}
HCN_RETYPED_FIELDS = {
    # (type, field): (new type, note)
    ("NamespaceResource", "Data"): (
        "NamespaceResourceData",
        "published as Any; HCN fills it with {\"ID\": <guid>}. Other members are kept as unknown fields",
    ),
}


def check_type_ref(t, types, where):
    if isinstance(t, str):
        if t not in SCALARS and t not in types:
            sys.exit("%s: unknown type %r" % (where, t))
    elif "array" in t:
        check_type_ref(t["array"], types, where)
    elif "map" in t:
        check_type_ref(t["map"]["key"], types, where)
        check_type_ref(t["map"]["value"], types, where)
    else:
        sys.exit("%s: bad type %r" % (where, t))


def convert(ref, family, prefix, added_types, added_fields, retyped, enum_facts):
    types = {}
    for name, t in ref["types"].items():
        t = json.loads(json.dumps(t))  # deep copy
        types[name] = t
    for name, t in added_types.items():
        if name in types:
            sys.exit("addition %s already published" % name)
        types[name] = json.loads(json.dumps(t))
    for tname, fields in added_fields.items():
        have = {f["name"] for f in types[tname]["fields"]}
        for f in fields:
            if f["name"] in have:
                sys.exit("addition %s.%s already published" % (tname, f["name"]))
            types[tname]["fields"].append(dict(f))
    for (tname, fname), (newtype, note) in retyped.items():
        for f in types[tname]["fields"]:
            if f["name"] == fname:
                f["observed"] = "type %s instead of %s: %s" % (newtype, f["type"], note)
                f["type"] = newtype
                break
        else:
            sys.exit("retyped field %s.%s not found" % (tname, fname))
    for ename, facts in enum_facts.items():
        e = types[ename]
        if facts.get("flags"):
            e["flags"] = True
        if facts.get("emit"):
            e["emit"] = facts["emit"]
        names = {v["name"] for v in e["values"]}
        for v in e["values"]:
            if v["name"] in facts["values"]:
                v["value"] = facts["values"][v["name"]]
        for extra, value in facts.get("extra", {}).items():
            if extra not in names:
                e["values"].append({"name": extra, "since": facts.get("extra_since", "2.0"), "value": value,
                                    "observed": facts["observed"]})
        e["observed_values"] = facts["observed"]
    for name, t in types.items():
        for f in t.get("fields", []):
            check_type_ref(f["type"], types, "%s.%s" % (name, f["name"]))
    return {
        "family": family,
        "c_prefix": prefix,
        "source": ref.get("source", ""),
        "schema_versions": ref.get("schema_versions", {}),
        "published_counts": ref.get("counts", {}),
        "types": dict(sorted(types.items())),
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--hcs", required=True)
    ap.add_argument("--hcn", required=True)
    ap.add_argument("--enum-values", help="JSON file of HCN enum numeric facts", required=True)
    ap.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "..", "schema"))
    args = ap.parse_args()
    with open(args.hcs) as f:
        hcs = json.load(f)
    with open(args.hcn) as f:
        hcn = json.load(f)
    with open(args.enum_values) as f:
        enum_facts = json.load(f)
    out = {
        "hcs.json": convert(hcs, "hcs", "zhcs", HCS_ADDED_TYPES, HCS_ADDED_FIELDS, {}, {}),
        "hcn.json": convert(hcn, "hcn", "zhns", HCN_ADDED_TYPES, {}, HCN_RETYPED_FIELDS, enum_facts),
    }
    os.makedirs(args.out, exist_ok=True)
    for name, doc in out.items():
        with open(os.path.join(args.out, name), "w") as f:
            json.dump(doc, f, indent=1, sort_keys=False)
            f.write("\n")
        print("wrote %s: %d types" % (name, len(doc["types"])))


if __name__ == "__main__":
    main()
