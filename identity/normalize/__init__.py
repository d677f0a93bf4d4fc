"""Normalisers: turn raw field values into comparable, script-independent forms (pure functions)."""
