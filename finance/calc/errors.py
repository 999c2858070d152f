"""The one error type of finance.calc, shaped so the API layer can map it without guessing."""

from __future__ import annotations


class CalcError(ValueError):
    """Bad input to a calculation.

    ``code`` is a stable snake_case string the API exposes; ``field`` names the argument at fault;
    the message is bilingual because users see it: ``str(err) == "中文 / English"``.
    """

    def __init__(self, code: str, field: str | None, message_zh: str, message_en: str):
        self.code = code
        self.field = field
        self.message_zh = message_zh
        self.message_en = message_en
        super().__init__(f"{message_zh} / {message_en}")

    def as_dict(self) -> dict[str, str | None]:
        return {"code": self.code, "field": self.field, "zh": self.message_zh, "en": self.message_en}
