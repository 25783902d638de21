#!/usr/bin/env python3
"""Validate Kubernetes objects strictly against published schemas.

Reads a YAML stream (one or more documents; a `kind: List` is expanded) on stdin and
validates every object with kubernetes-validate's Python API in strict mode (its command
line only warns about unknown apiVersions). Prints one line per object and version:
`OK <version> <kind>/<name>` or `FAIL <version> <kind>/<name>: <reason>`.
Exit 0 when everything is valid, 1 otherwise.

Usage: validate_manifests.py VERSION [VERSION...]   ("latest" = the newest bundled schema)
"""
import sys

import kubernetes_validate
import yaml


def objects(stream):
    for doc in yaml.safe_load_all(stream):
        if not doc:
            continue
        if doc.get("kind") == "List":
            yield from doc.get("items", [])
        else:
            yield doc


def main():
    versions = [kubernetes_validate.latest_version() if v == "latest" else v for v in sys.argv[1:]]
    if not versions:
        print("usage: validate_manifests.py VERSION [VERSION...]", file=sys.stderr)
        return 2
    docs = list(objects(sys.stdin))
    if not docs:
        print("FAIL no objects on stdin")
        return 1
    failed = False
    for doc in docs:
        name = f"{doc.get('kind')}/{(doc.get('metadata') or {}).get('name')}"
        for version in versions:
            try:
                kubernetes_validate.validate(doc, version, strict=True)
                print(f"OK {version} {name}")
            except Exception as err:  # ValidationError, SchemaNotFoundError, InvalidSchemaError
                failed = True
                reason = str(getattr(err, "message", err)).splitlines()[0]
                print(f"FAIL {version} {name}: {type(err).__name__}: {reason}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
