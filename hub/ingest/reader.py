"""Streaming readers for NDJSON and CSV: constant memory, one item per record, bad lines named by number.

Each item is `(line_number, record_dict)` or `(line_number, RecordError)`; a bad line never stops the stream.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from hub.ingest.records import RecordError

Item = tuple[int, dict[str, Any] | RecordError]
CHUNK = 65_536
JSON_SUFFIXES = (".ndjson", ".jsonl", ".json")


class _Lines:
    """Physical lines of a byte stream, decoded as UTF-8, each at most `max_bytes`; bad ones set aside."""

    def __init__(self, stream: IO[bytes], max_bytes: int) -> None:
        self.stream = stream
        self.max_bytes = max_bytes
        self.count = 0
        self.row_start: int | None = None  # first good line handed out since it was last cleared
        self.bad: list[tuple[int, RecordError]] = []

    def __iter__(self) -> Iterator[str]:
        while True:
            raw = self.stream.readline(self.max_bytes + 1)
            if not raw:
                return
            self.count += 1
            if len(raw) > self.max_bytes and not raw.endswith(b"\n"):
                self._skip_rest_of_line()
                self.bad.append((self.count, RecordError(f"line longer than {self.max_bytes} bytes")))
                continue
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                self.bad.append((self.count, RecordError(f"not valid UTF-8 (byte {exc.start + 1})")))
                continue
            if self.row_start is None:
                self.row_start = self.count
            yield text

    def _skip_rest_of_line(self) -> None:
        while True:
            chunk = self.stream.readline(CHUNK)
            if not chunk or chunk.endswith(b"\n"):
                return

    def take_bad(self) -> list[tuple[int, RecordError]]:
        bad, self.bad = self.bad, []
        return bad


def read_ndjson(stream: IO[bytes], max_bytes: int) -> Iterator[Item]:
    """One JSON object per line; blank lines are skipped."""
    lines = _Lines(stream, max_bytes)
    for text in lines:
        yield from lines.take_bad()
        if lines.count == 1:
            text = text.removeprefix("\ufeff")  # a byte order mark, as some Windows tools write
        if not text.strip():
            continue
        try:
            yield lines.count, json.loads(text)
        except json.JSONDecodeError as exc:
            yield lines.count, RecordError(f"invalid JSON: {exc.msg} (column {exc.colno})")
        except RecursionError:
            yield lines.count, RecordError("invalid JSON: nested too deeply")
        except ValueError:  # an integer beyond Python's digit limit for string conversion
            yield lines.count, RecordError("invalid JSON: a number has too many digits")
    yield from lines.take_bad()


def read_csv(stream: IO[bytes], max_bytes: int) -> Iterator[Item]:
    """CSV with a header row of ingest field names; empty cells are absent values."""
    lines = _Lines(stream, max_bytes)
    csv.field_size_limit(max_bytes)
    reader = csv.reader(lines)
    header: list[str] | None = None
    while True:
        lines.row_start = None
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            yield from lines.take_bad()
            yield lines.row_start or lines.count, RecordError(f"malformed CSV: {exc}")
            continue
        bad = lines.take_bad()
        yield from bad
        start = lines.row_start or lines.count
        if not any(cell.strip() for cell in row):
            continue
        if any(line > start for line, _ in bad):
            # A quoted cell ran over an unreadable line: what is left of the record is not what was sent.
            yield start, RecordError(f"a quoted cell spans line {max(line for line, _ in bad)}, which was refused")
            continue
        if header is None:
            header = [cell.strip().lstrip("\ufeff") for cell in row]
            continue
        yield start, _csv_record(header, row)
    yield from lines.take_bad()


def _csv_record(header: list[str], row: list[str]) -> dict[str, Any] | RecordError:
    if len(row) > len(header):
        return RecordError(f"{len(row)} fields but the header has {len(header)}")
    record: dict[str, Any] = {}
    for name, cell in zip(header, row, strict=False):
        value = cell.strip()
        if not value:
            continue
        if name == "properties":
            try:
                record[name] = json.loads(value)
            except (ValueError, RecursionError):
                return RecordError("properties: not a JSON object")
        else:
            record[name] = value
    return record


def detect_format(name: str, stream: IO[bytes]) -> str:
    """`ndjson` or `csv`: from the file suffix, else from the first non-blank byte (`{` means NDJSON)."""
    suffix = Path(name).suffix.lower()
    if suffix in JSON_SUFFIXES:
        return "ndjson"
    if suffix == ".csv":
        return "csv"
    peek = getattr(stream, "peek", None)
    head = peek(512) if peek else b""
    return "ndjson" if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{") else "csv"


def read_records(name: str, stream: IO[bytes], max_bytes: int) -> Iterator[Item]:
    """Items of a named stream in its detected format."""
    if detect_format(name, stream) == "ndjson":
        return read_ndjson(stream, max_bytes)
    return read_csv(stream, max_bytes)
