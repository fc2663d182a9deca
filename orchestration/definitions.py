"""The Dagster code location: everything is loaded from the defs/ folder."""

import dagster as dg

from orchestration import defs as defs_folder


@dg.definitions
def defs() -> dg.Definitions:
    return dg.load_defs(defs_root=defs_folder)
