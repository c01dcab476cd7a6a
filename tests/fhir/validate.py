"""Validates a FHIR Bundle (JSON on stdin) with the fhir.resources R4B models; exit 1 with the
errors when it is not valid. Run by tests/api/export.rs through the virtualenv .ci/run makes."""
import json
import sys

from fhir.resources.R4B.bundle import Bundle

try:
    bundle = Bundle.model_validate(json.load(sys.stdin))
except Exception as e:  # pydantic's ValidationError lists every problem
    print(e)
    sys.exit(1)
kinds = {}
for entry in bundle.entry or []:
    name = entry.resource.__resource_type__
    kinds[name] = kinds.get(name, 0) + 1
print(json.dumps(kinds, sort_keys=True))
