"""Reference tables (YAML) read by the normalisers."""
