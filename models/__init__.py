"""SQL models (staging → intermediate → marts) and rule tables, shipped as package data."""

from pathlib import Path

MODELS_DIR = Path(__file__).parent
RULES_DIR = MODELS_DIR / "rules"
MACROS_DIR = MODELS_DIR / "macros"


def macro_sql(macros_dir: Path | None = None) -> str:
    """The statements of every macro file (models/macros/*.sql), in name order."""
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted((macros_dir or MACROS_DIR).glob("*.sql")))
