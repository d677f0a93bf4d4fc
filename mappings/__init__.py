"""Field mappings: unified customer <-> CRM fields; transforms, conflict policies, validation, preview.

Pure: no database, web framework or scheduler here; ``hub/`` stores mappings and calls these functions.
"""

from mappings.conflict import Decision, Facts, resolve
from mappings.defaults import default_mapping, default_text
from mappings.errors import MappingError, Problem, TransformError
from mappings.loader import load_dict, load_mapping
from mappings.mapper import Mapper
from mappings.model import FieldMapping, Mapping
from mappings.preview import FieldDiff, Preview, preview
from mappings.records import CrmRecord, ExternalPayload, FieldError, Patch
from mappings.validate import load_validated, validate

__all__ = [
    "CrmRecord",
    "Decision",
    "ExternalPayload",
    "Facts",
    "FieldDiff",
    "FieldError",
    "FieldMapping",
    "Mapper",
    "Mapping",
    "MappingError",
    "Patch",
    "Preview",
    "Problem",
    "TransformError",
    "default_mapping",
    "default_text",
    "load_dict",
    "load_mapping",
    "load_validated",
    "preview",
    "resolve",
    "validate",
]
