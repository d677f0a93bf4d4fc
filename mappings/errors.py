"""Problems found in a mapping file, and the errors that carry them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a mapping, located for the admin who has to fix it."""

    file: str
    line: int
    field: str | None
    message: str

    def __str__(self) -> str:
        where = f" [{self.field}]" if self.field else ""
        return f"{self.file}:{self.line}:{where} {self.message}"


class MappingError(Exception):
    """A mapping was refused; ``problems`` lists every reason, nothing of it may be saved."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class TransformError(ValueError):
    """A value could not pass a transform at sync time (a record-level error for one field)."""


class ArgumentError(ValueError):
    """A transform was configured with wrong arguments (a load-time problem)."""
