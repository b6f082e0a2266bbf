"""The seeder: fills the catalog from TMDB (fetch → process → load) or the bundled sample.

It loads through app.models and never imports app.routes.
"""

from pathlib import Path

SAMPLE_DIR = Path(__file__).resolve().parent / "sample"
