"""SQL models (staging → intermediate → marts) and rule tables, shipped as package data."""

from pathlib import Path

MODELS_DIR = Path(__file__).parent
RULES_DIR = MODELS_DIR / "rules"
MACROS_DIR = MODELS_DIR / "macros"
