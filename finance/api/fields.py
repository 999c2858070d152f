"""Input fields shared by every API: amounts as decimal strings, currencies from the whitelist, percent rates.

Amounts are refused when sent as JSON numbers (floats lose fen), when they have more than two decimals,
or when they are not finite: each with a bilingual message naming the field.
"""
from decimal import Decimal, InvalidOperation

from django.conf import settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from finance.core.errors import bi


@extend_schema_field({"type": "string", "format": "decimal", "example": "1000000.00",
                      "description": "decimal string with at most two decimal places"})
class AmountField(serializers.Field):
    def __init__(self, *, allow_zero: bool = False, **kwargs):
        self.allow_zero = allow_zero
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if isinstance(data, float | int) and not isinstance(data, bool):
            raise serializers.ValidationError(bi("金额必须以字符串传递，例如 \"1000.00\"",
                                                 'amounts must be sent as strings, e.g. "1000.00"'))
        try:
            value = Decimal(str(data).strip())
        except (InvalidOperation, ValueError):
            raise serializers.ValidationError(bi("不是有效金额", "not a valid amount")) from None
        if not value.is_finite():
            raise serializers.ValidationError(bi("金额必须是有限数", "the amount must be a finite number"))
        if value.as_tuple().exponent < -2:
            raise serializers.ValidationError(bi("金额最多两位小数（分）", "at most two decimal places (fen)"))
        if value < 0 or (value == 0 and not self.allow_zero):
            raise serializers.ValidationError(bi("金额必须大于零", "the amount must be greater than zero"))
        return value.quantize(Decimal("0.01"))

    def to_representation(self, value):
        return f"{Decimal(value):.2f}"


@extend_schema_field({"type": "string", "enum": list(settings.CURRENCIES), "default": "CNY"})
class CurrencyField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        kwargs.setdefault("default", settings.DEFAULT_CURRENCY)
        super().__init__(choices=list(settings.CURRENCIES), **kwargs)


@extend_schema_field(OpenApiTypes.DECIMAL)
class RateField(serializers.DecimalField):
    """An annual rate in percent ("4.35"), 0 to 36."""

    def __init__(self, **kwargs):
        super().__init__(max_digits=7, decimal_places=4, min_value=Decimal(0), max_value=Decimal(36), **kwargs)
