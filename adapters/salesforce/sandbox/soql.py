"""The SOQL subset integrations use: SELECT fields FROM object [WHERE ...] [ORDER BY ...] [LIMIT n] [OFFSET n].

WHERE takes =, !=, <>, <, <=, >, >=, LIKE, IN, NOT IN, AND, OR, NOT and parentheses over string, number,
date, date-time, true/false and null literals. Anything else is refused with MALFORMED_QUERY, as Salesforce does.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from adapters.salesforce.sandbox.errors import ApiFault
from adapters.salesforce.sandbox.values import parse_datetime

_TOKEN = re.compile(
    r"\s*(?:(?P<str>'(?:[^'\\]|\\.)*')|(?P<dt>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2}))"
    r"|(?P<date>\d{4}-\d{2}-\d{2})|(?P<num>-?\d+(?:\.\d+)?)|(?P<op><=|>=|!=|<>|=|<|>)|(?P<punct>[(),])"
    r"|(?P<word>[A-Za-z_][A-Za-z0-9_.]*))"
)
KEYWORDS = {"SELECT", "FROM", "WHERE", "ORDER", "BY", "LIMIT", "OFFSET", "AND", "OR", "NOT", "IN", "LIKE", "ASC",
            "DESC", "NULLS", "FIRST", "LAST", "NULL", "TRUE", "FALSE"}  # fmt: skip
Predicate = Callable[[Mapping[str, Any]], bool]


@dataclass
class Query:
    """A parsed query: selected fields, object, filter, ordering and limits."""

    fields: list[str]
    object: str
    where: Predicate | None = None
    where_fields: list[str] = field(default_factory=list)
    order: list[tuple[str, bool, bool]] = field(default_factory=list)  # field, descending, nulls last
    limit: int | None = None
    offset: int = 0


def malformed(message: str) -> ApiFault:
    """Salesforce's answer to a query it cannot parse."""
    return ApiFault(400, "MALFORMED_QUERY", message)


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens: list[tuple[str, str]] = []
        pos = 0
        text = text.strip()
        while pos < len(text):
            match = _TOKEN.match(text, pos)
            if match is None or match.end() == pos:
                raise malformed(f"unexpected token: '{text[pos : pos + 20]}'")
            kind = match.lastgroup or ""
            value = match.group(kind)
            if kind == "word" and value.upper() in KEYWORDS:
                kind, value = "kw", value.upper()
            self.tokens.append((kind, value))
            pos = match.end()
        self.pos = 0
        self.where_fields: list[str] = []

    def peek(self, value: str | None = None) -> bool:
        if self.pos >= len(self.tokens):
            return False
        return value is None or self.tokens[self.pos][1] == value

    def take(self, kind: str | None = None, value: str | None = None) -> str:
        if self.pos >= len(self.tokens):
            raise malformed(f"unexpected end of query, expected {value or kind}")
        got_kind, got = self.tokens[self.pos]
        if (kind and got_kind != kind) or (value and got != value):
            raise malformed(f"unexpected token: '{got}'")
        self.pos += 1
        return got

    def query(self) -> Query:
        self.take("kw", "SELECT")
        fields = [self.take("word")]
        while self.peek(","):
            self.take()
            fields.append(self.take("word"))
        self.take("kw", "FROM")
        query = Query(fields, self.take("word"))
        if self.peek("WHERE"):
            self.take()
            query.where = self.disjunction()
            query.where_fields = self.where_fields
        if self.peek("ORDER"):
            self.take()
            self.take("kw", "BY")
            query.order = [self.order_item()]
            while self.peek(","):
                self.take()
                query.order.append(self.order_item())
        if self.peek("LIMIT"):
            self.take()
            query.limit = self.count()
        if self.peek("OFFSET"):
            self.take()
            query.offset = self.count()
        if self.pos < len(self.tokens):
            raise malformed(f"unexpected token: '{self.tokens[self.pos][1]}'")
        return query

    def count(self) -> int:
        text = self.take("num")
        if not text.isdigit():
            raise malformed(f"expecting a non-negative integer, found '{text}'")
        return int(text)

    def order_item(self) -> tuple[str, bool, bool]:
        name = self.take("word")
        descending = False
        if self.peek("ASC") or self.peek("DESC"):
            descending = self.take() == "DESC"
        nulls_last = descending
        if self.peek("NULLS"):
            self.take()
            nulls_last = self.take("kw") == "LAST"
        self.where_fields.append(name)
        return name, descending, nulls_last

    def disjunction(self) -> Predicate:
        parts = [self.conjunction()]
        while self.peek("OR"):
            self.take()
            parts.append(self.conjunction())
        return parts[0] if len(parts) == 1 else (lambda r: any(p(r) for p in parts))

    def conjunction(self) -> Predicate:
        parts = [self.negation()]
        while self.peek("AND"):
            self.take()
            parts.append(self.negation())
        return parts[0] if len(parts) == 1 else (lambda r: all(p(r) for p in parts))

    def negation(self) -> Predicate:
        if self.peek("NOT"):
            self.take()
            inner = self.negation()
            return lambda r: not inner(r)
        if self.peek("("):
            self.take()
            inner = self.disjunction()
            self.take("punct", ")")
            return inner
        return self.comparison()

    def comparison(self) -> Predicate:
        name = self.take("word")
        self.where_fields.append(name)
        name = name.lower()
        negate = False
        if self.peek("NOT"):
            self.take()
            negate = True
        if self.peek("IN"):
            self.take()
            values = self.value_list()
            return lambda r: (_key(r.get(name)) in values) != negate
        if negate:
            raise malformed("NOT must be followed by IN here")
        if self.peek("LIKE"):
            self.take()
            pattern = _like(str(self.literal()))
            return lambda r: r.get(name) is not None and bool(pattern.match(str(r.get(name))))
        op = self.take("op")
        value = self.literal()
        return _compare(name, op, value)

    def value_list(self) -> set[Any]:
        self.take("punct", "(")
        values = {_key(self.literal())}
        while self.peek(","):
            self.take()
            values.add(_key(self.literal()))
        self.take("punct", ")")
        return values

    def literal(self) -> Any:
        kind, value = self.tokens[self.pos] if self.pos < len(self.tokens) else ("", "")
        self.pos += 1
        if kind == "str":
            return re.sub(r"\\(.)", r"\1", value[1:-1])
        if kind == "num":
            return float(value)
        if kind == "dt":
            return parse_datetime(value)
        if kind == "date":
            return date.fromisoformat(value)
        if kind == "kw" and value in {"NULL", "TRUE", "FALSE"}:
            return {"NULL": None, "TRUE": True, "FALSE": False}[value]
        raise malformed(f"unexpected token: '{value}'")


def _key(value: Any) -> Any:
    """Comparable form: text compares case-insensitively in SOQL."""
    return value.lower() if isinstance(value, str) else value


def _like(pattern: str) -> re.Pattern[str]:
    parts = (".*" if c == "%" else "." if c == "_" else re.escape(c) for c in pattern)
    return re.compile("^" + "".join(parts) + "$", re.IGNORECASE | re.DOTALL)


def _typed(stored: Any, literal: Any) -> Any:
    if isinstance(literal, datetime) and isinstance(stored, str):
        return parse_datetime(stored)
    if isinstance(literal, date) and not isinstance(literal, datetime) and isinstance(stored, str):
        return date.fromisoformat(stored[:10])
    return _key(stored)


def _compare(name: str, op: str, literal: Any) -> Predicate:
    """A test of one comparison; records are viewed with lower-cased field names."""

    def test(record: Mapping[str, Any]) -> bool:
        stored = record.get(name)
        if literal is None or stored is None:
            equal = stored is None and literal is None
            return equal if op == "=" else (not equal if op in {"!=", "<>"} else False)
        left, right = _typed(stored, literal), _key(literal)
        if op == "=":
            return bool(left == right)
        if op in {"!=", "<>"}:
            return bool(left != right)
        try:
            return bool({"<": left < right, "<=": left <= right, ">": left > right, ">=": left >= right}[op])
        except TypeError:
            return False

    return test


def parse(text: str) -> Query:
    """Parse a SOQL statement; ApiFault(MALFORMED_QUERY) when it is outside the subset or malformed."""
    return _Parser(text).query()
