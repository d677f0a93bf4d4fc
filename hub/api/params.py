"""Shared path parameters."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path

MAX_ROW_ID = 2**63 - 1  # a BIGINT: larger ids cannot exist, and must be a 422, not a database error

RowId = Annotated[int, Path(ge=1, le=MAX_ROW_ID, description="a row id")]
