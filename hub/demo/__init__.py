"""The bundled sample: social profiles, interactions and CRM contacts of people from six markets."""

from __future__ import annotations

from pathlib import Path

DATA_DIR = Path(__file__).parent / "data"
SAMPLE_FILES = ("social_profiles.ndjson", "contacts.ndjson", "interactions.ndjson")


def sample_paths() -> list[Path]:
    """The sample files, in the order the demo ingests them."""
    return [DATA_DIR / name for name in SAMPLE_FILES]
