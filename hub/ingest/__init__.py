"""Ingest: parse NDJSON/CSV records (streaming, line-numbered errors), store them, and resolve them."""
