"""Synthetic multilingual people with social profiles and CRM contacts, and their ground truth.

The generator knows how people write their names (its own variant tables); the engine must not import it.
"""
