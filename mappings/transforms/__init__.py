"""The fixed transform registry. Importing this package registers every transform."""

from mappings.transforms import compose, social, text, time
from mappings.transforms.base import REGISTRY, Context, Step, build_step, known_names

__all__ = ["REGISTRY", "Context", "Step", "build_step", "compose", "known_names", "social", "text", "time"]
