"""Shared building blocks with no models: domain errors, money helpers."""
