"""The bundle contract's vocabularies have one source (vidlite.bundle.contract); the JSON schema cannot
import it, so this holds the schema's enums equal to the contract's tuples, and the runtime's and the
exporter's names to the contract's own objects."""
from __future__ import annotations

import json

from vidlite.bundle import SCHEMA_PATH, contract

SCHEMA = json.loads(SCHEMA_PATH.read_text())


def test_schema_enums_are_the_contracts_vocabularies():
    defs = SCHEMA["$defs"]
    assert tuple(SCHEMA["properties"]["task"]["enum"]) == contract.FAMILIES
    assert tuple(defs["artifact"]["properties"]["format"]["enum"]) == contract.FORMATS
    assert tuple(defs["artifact"]["properties"]["precision"]["enum"]) == contract.PRECISIONS
    assert tuple(defs["tensor"]["properties"]["dtype"]["enum"]) == contract.DTYPES


def test_every_format_has_an_entry_suffix():
    assert set(contract.ENTRY_SUFFIX) == set(contract.FORMATS)


def test_runtime_imports_the_contract_rather_than_copying_it():
    import importlib

    from vidlite.backends import precision
    # vidlite.runtime exports functions named plan and select: fetch the modules themselves
    plan, select = (importlib.import_module(f"vidlite.runtime.{m}") for m in ("plan", "select"))

    assert plan.PRECISIONS is contract.PRECISIONS
    assert plan.EXECUTION_PRECISIONS is contract.EXECUTION_PRECISIONS is precision.EXECUTION_PRECISIONS
    assert select.ENTRY_SUFFIX is contract.ENTRY_SUFFIX
