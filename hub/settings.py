"""Rapport's settings: one pydantic-settings object, read from `RAPPORT_*` environment variables.

It is created once at the edge (CLI command, app factory) and passed explicitly; nothing reads it globally.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Every setting an operator may change; secrets are `SecretStr` so they never print by accident."""

    model_config = SettingsConfigDict(env_prefix="RAPPORT_", extra="ignore")

    database_url: str = "sqlite:///./rapport.db"
    secret_key: SecretStr | None = None
    public_url: str | None = None
    webhook_allowed_networks: str = ""

    log_level: str = "INFO"
    log_format: Literal["auto", "json", "text"] = "auto"

    # records per transaction when ingesting a file; 5,000 rather than 2,000 makes a bulk `rapport ingest` about 8%
    # faster (fewer reads of the same candidates), at the cost of holding the SQLite writer about 3 s per batch
    ingest_batch_size: int = Field(default=5000, ge=1, le=10_000)
    api_max_records: int = Field(default=1000, ge=1)
    max_line_bytes: int = Field(default=1_048_576, ge=1024)

    # how often the scheduler reclusters every settled record on the whole store's counts (hub.reconcile), so
    # that customers do not depend on the order records arrived in; 0 never (run `rapport reconcile` instead)
    reconcile_every_seconds: int = Field(default=3600, ge=0)

    job_lease_seconds: int = Field(default=300, ge=5)
    job_max_attempts: int = Field(default=8, ge=1)
    worker_poll_seconds: float = Field(default=0.5, gt=0)
    max_queue_depth: int = Field(default=100_000, ge=1)
    done_job_retention_hours: int = Field(default=24, ge=0)
    webhook_retention_days: int = Field(default=30, ge=1)
    # How long a stopping worker may finish the job in hand before giving it back to the queue; below the
    # orchestrator's kill timeout (docker stop: 10 s unless stop_grace_period says more; Kubernetes: 30 s).
    worker_shutdown_grace_seconds: float = Field(default=20.0, ge=0)
    # Retry-After of a 429 when the queue is deeper than max_queue_depth; the depth is re-read at most this often.
    backpressure_retry_after_seconds: int = Field(default=30, ge=1)
    backpressure_check_seconds: float = Field(default=1.0, ge=0)

    @property
    def is_sqlite(self) -> bool:
        """True when the store is an embedded SQLite file."""
        return self.database_url.startswith("sqlite")
