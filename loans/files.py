"""Bulk loan files (filled in below)."""
