"""Print a Pipfile.lock's default packages as pinned requirements for pip."""

import json
import sys

with open(sys.argv[1]) as f:
    lock = json.load(f)
for name, spec in lock.get("default", {}).items():
    print(f"{name}{spec.get('version', '')}{';' + spec['markers'] if spec.get('markers') else ''}")
