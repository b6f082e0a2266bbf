"""The seeder: fills the catalog from TMDB (fetch → process → load) or the bundled sample.

It loads through app.models and never imports app.routes.
"""

from pathlib import Path

SAMPLE_DIR = Path(__file__).resolve().parent / "sample"
DEFAULT_OUTPUT_DIR = Path(__file__).resolve().parent / "output"


def output_dir(config) -> Path:
    """SEED_OUTPUT_DIR, or seeder/output in the project."""
    configured = config.get("SEED_OUTPUT_DIR")
    return Path(configured) if configured else DEFAULT_OUTPUT_DIR
