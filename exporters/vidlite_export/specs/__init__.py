"""Task specs for the four families, declared as data (see :mod:`vidlite_export.specs.base`)."""
from __future__ import annotations

import importlib

from vidlite.bundle.contract import FAMILIES
from vidlite_export.specs.base import (ComponentSpec, SpecError, TaskSpec, TensorSpec, Tolerance,
                                       runner_from_torch)


def get_spec(family: str) -> TaskSpec:
    """The spec of a family; each lives in ``vidlite_export.specs.<family>`` as ``SPEC``."""
    if family not in FAMILIES:
        raise SpecError(f"unknown family {family!r}; expected one of {', '.join(FAMILIES)}")
    return importlib.import_module(f"vidlite_export.specs.{family}").SPEC


__all__ = ["FAMILIES", "ComponentSpec", "SpecError", "TaskSpec", "TensorSpec", "Tolerance", "get_spec",
           "runner_from_torch"]
