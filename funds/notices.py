"""Capital call notices as PDF (WeasyPrint, Chinese font Noto Sans CJK SC from Debian's fonts-noto-cjk)."""
from __future__ import annotations

from django.template.loader import render_to_string


def call_notice_pdf(line) -> bytes:
    from weasyprint import HTML

    html = render_to_string("funds/call_notice.html",
                            {"line": line, "call": line.call, "fund": line.call.sub_fund,
                                                       "commitment": line.commitment})
    return HTML(string=html).write_pdf()
