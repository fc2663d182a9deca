"""Reads one spreadsheet in a process of its own, for readers.read_xlsx:

    python -m orchestration.sheet_reader FILE.xlsx OUT.arrow MEMORY_LIMIT_BYTES [LAYOUT_JSON]

The rows go to OUT.arrow (an Arrow IPC file); a file that cannot be used prints its rejection
(catalogue key and arguments, JSON) and exits with readers.REJECTED. The memory limit is set before
the file is opened, so a sheet that would need more ends this process, never the load's.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def main(path: str, out: str, limit: str, layout: str | None = None) -> int:
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (int(limit), int(limit)))
    except (ImportError, ValueError, OSError):  # no such limit on Windows: read unbounded
        pass
    import pyarrow as pa

    from . import readers

    try:
        table = readers.read_sheet(Path(path), readers.SheetLayout.from_json(layout) if layout else None)
    except readers.FileRejected as exc:
        print(json.dumps({"key": exc.key, "args": exc.args_}, ensure_ascii=False))
        return readers.REJECTED
    with pa.OSFile(out, "wb") as sink, pa.ipc.new_file(sink, table.schema) as writer:
        writer.write_table(table)
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:5]))
