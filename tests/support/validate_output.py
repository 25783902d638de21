#!/usr/bin/env python3
"""Validate kubectl-zk's -o json output against its JSON Schemas (docs/schema/<kind>.json).

Reads one JSON document, or JSON lines (one document per line, as `leader --watch -o json`
prints them), on stdin. Every document must carry `apiVersion: kubectl-zk.io/v1alpha1` and a
`kind` with a schema. Prints `OK <kind>` or `FAIL <kind>: <reason>` per document; exit 0 when
every document is valid, 1 otherwise.

Usage: validate_output.py [EXPECTED_KIND]
"""
import json
import pathlib
import sys

import jsonschema
from referencing import Registry, Resource

SCHEMAS = pathlib.Path(__file__).resolve().parents[2] / "docs" / "schema"


def registry():
    resources = []
    for path in sorted(SCHEMAS.glob("*.json")):
        schema = json.loads(path.read_text())
        resources.append((schema["$id"], Resource.from_contents(schema)))
    return Registry().with_resources(resources)


def documents(text):
    text = text.strip()
    if not text:
        return []
    try:
        return [json.loads(text)]
    except json.JSONDecodeError:
        return [json.loads(line) for line in text.splitlines() if line.strip()]


def main():
    expected = sys.argv[1] if len(sys.argv) > 1 else None
    reg = registry()
    ok = True
    docs = documents(sys.stdin.read())
    if not docs:
        print("FAIL: no document on stdin")
        return 1
    for doc in docs:
        kind = doc.get("kind") if isinstance(doc, dict) else None
        if expected and kind != expected:
            print(f"FAIL {kind}: expected kind {expected}")
            ok = False
            continue
        path = SCHEMAS / f"{kind}.json"
        if not path.exists():
            print(f"FAIL {kind}: no schema {path.name}")
            ok = False
            continue
        schema = json.loads(path.read_text())
        validator = jsonschema.Draft202012Validator(schema, registry=reg)
        errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.path))
        if errors:
            ok = False
            for error in errors[:5]:
                where = "/".join(str(p) for p in error.path) or "(document)"
                print(f"FAIL {kind}: {where}: {error.message}")
        else:
            print(f"OK {kind}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
