"""Input fields shared by every API: a field checked by a domain rule, amounts, currencies.

A ``CheckedField`` runs one of the domain's validation functions (``check(value, field_name)``) and turns
its DomainError into a bilingual field error, so each rule lives in one place and the API, the bulk files and
the pages apply the same one. Amounts travel as decimal strings: JSON numbers with a fraction, NaN and a third
decimal place are refused (``finance.core.money.parse_amount``).
"""
from django.conf import settings
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from finance.core.errors import DomainError, bi
from finance.core.inputs import check_currency, parse_amount


class CheckedField(serializers.Field):
    """Subclasses set ``check = staticmethod(lambda value, field_name: ...)``."""

    check = None

    def to_internal_value(self, data):
        if isinstance(data, bool):
            raise serializers.ValidationError(bi("不是有效取值", "not a valid value"), code="invalid")
        try:
            return self.run_check(data)
        except DomainError as exc:
            raise serializers.ValidationError(bi(exc.detail_zh, exc.detail_en), code=exc.code) from None

    def run_check(self, data):
        return type(self).check(data, self.field_name)

    def to_representation(self, value):
        return str(value)


@extend_schema_field(
    {
        "type": "string",
        "format": "decimal",
        "example": "1000000.00",
        "description": "decimal string, at most two decimal places (fen); JSON numbers are refused",
    }
)
class AmountField(CheckedField):
    def __init__(self, *, allow_zero: bool = False, **kwargs):
        self.allow_zero = allow_zero
        super().__init__(**kwargs)

    def run_check(self, data):
        return parse_amount(data, self.field_name, allow_zero=self.allow_zero)


@extend_schema_field(
    {"type": "string", "enum": list(settings.CURRENCIES), "default": settings.DEFAULT_CURRENCY}
)
class CurrencyField(CheckedField):
    check = staticmethod(lambda value, name: check_currency(value, name))
