"""python -m dashboards SNAPSHOT [--host 127.0.0.1] [--port 8050] [--lang zh|en]"""

import argparse
from pathlib import Path

from .app import serve

parser = argparse.ArgumentParser(prog="python -m dashboards", description="recwatch oversight dashboard")
parser.add_argument("snapshot", type=Path, help="the published snapshot, <warehouse stem>.published.duckdb")
parser.add_argument("--host", default="127.0.0.1")
parser.add_argument("--port", type=int, default=8050)
parser.add_argument("--lang", choices=("zh", "en"), default="zh")
args = parser.parse_args()
serve(args.snapshot, args.host, args.port, args.lang)
