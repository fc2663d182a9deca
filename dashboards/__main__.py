"""python -m dashboards SNAPSHOT [--host 127.0.0.1] [--port 8050] [--lang zh|en] [--allow-unmask] [--scope UNIT]"""

import argparse
from pathlib import Path

from .app import serve

parser = argparse.ArgumentParser(prog="python -m dashboards", description="recwatch oversight dashboard")
parser.add_argument("snapshot", type=Path, help="the published snapshot, <warehouse stem>.published.duckdb")
parser.add_argument("--host", default="127.0.0.1")
parser.add_argument("--port", type=int, default=8050)
parser.add_argument("--lang", choices=("zh", "en"), default="zh")
parser.add_argument("--allow-unmask", action="store_true",
                    help="offer a switch that shows party names; every use is logged beside the snapshot")
parser.add_argument("--scope", metavar="UNIT", help="serve only this unit and the units under it (default: every unit)")
args = parser.parse_args()
serve(args.snapshot, args.host, args.port, args.lang, allow_unmask=args.allow_unmask, scope=args.scope)
