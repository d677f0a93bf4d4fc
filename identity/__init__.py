"""Identity resolution: normalise, block, compare, decide, cluster, survivorship, explain.

`default_resolver()` is the resolver the hub and `rapport resolve` use.
"""

from __future__ import annotations

from identity.api import (
    CandidateStore,
    Cluster,
    IdentityRecord,
    LinkDecision,
    Resolution,
    Resolver,
    ReviewItem,
)
from identity.engine import IdentityEngine
from identity.exact import ExactResolver

__all__ = [
    "CandidateStore",
    "Cluster",
    "ExactResolver",
    "IdentityEngine",
    "IdentityRecord",
    "LinkDecision",
    "Resolution",
    "Resolver",
    "ReviewItem",
    "default_resolver",
]


def default_resolver() -> Resolver:
    """The resolver in use: the identity engine (normalise, block, compare with weights, guardrails, cluster)."""
    return IdentityEngine()
