"""One date format in every language: ISO dates (2026-11-30), times to the minute
(settings.FORMAT_MODULE_PATH).

A bare ``{{ date }}`` in a template and ``|date`` without an argument read these; templates that spell
``|date:"Y-m-d"`` write the same thing. Chinese long dates (2026年11月30日) are not used on pages.
"""
