"""Splitting an amount to the fen: capital calls over LPs, losses over province/city/bank."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from fractions import Fraction

from . import _checks
from .errors import CalcError


def allocate(total: Decimal | int, weights: Sequence[Decimal | int]) -> list[Decimal]:
    """Split ``total`` pro rata to ``weights`` by largest remainder; the parts sum exactly.

    Every part is its exact share rounded down to the fen, plus one fen for the parts with the
    largest remainders until the total is reached; equal remainders favour the earlier position.
    So no part is a fen or more away from its exact share. A negative total is split as its
    magnitude and negated.
    """
    total = _checks.money(total, "total", allow_negative=True)
    if isinstance(weights, (str, bytes)) or not isinstance(weights, Sequence) or not weights:
        raise CalcError("empty", "weights", "weights 不能为空", "weights must be a non-empty sequence")
    ws = [Fraction(_checks.number(w, f"weights[{i}]", minimum=Decimal(0))) for i, w in enumerate(weights)]
    weight_sum = sum(ws)
    if weight_sum == 0:
        raise CalcError("zero_total_weight", "weights", "权重之和不能为零", "weights must not all be zero")
    sign = -1 if total < 0 else 1
    fen = abs(_checks.to_fen(total))
    shares = [fen * w / weight_sum for w in ws]
    parts = [int(share) for share in shares]  # floor: shares are non-negative
    short = fen - sum(parts)
    by_remainder = sorted(range(len(ws)), key=lambda i: (-(shares[i] - parts[i]), i))
    for i in by_remainder[:short]:
        parts[i] += 1
    return [_checks.from_fen(sign * part) for part in parts]


def split_loss(loss: Decimal | int, shares: Mapping[str, Decimal]) -> dict[str, Decimal]:
    """Share a loss between parties (``{"province": Decimal("0.35"), ...}``) through ``allocate``.

    The fractions must sum to exactly 1, so nobody's share is silently scaled; the result keeps
    the mapping's order.
    """
    loss = _checks.money(loss, "loss")
    if not isinstance(shares, Mapping) or not shares:
        raise CalcError("empty", "shares", "shares 不能为空", "shares must be a non-empty mapping")
    fractions = [_checks.number(v, f"shares[{k!r}]", minimum=Decimal(0), maximum=Decimal(1))
                 for k, v in shares.items()]
    if sum(fractions) != 1:
        raise CalcError("shares_not_one", "shares", f"分担比例之和必须为 1(现为 {sum(fractions)})",
                        f"shares must sum to 1, not {sum(fractions)}")
    return dict(zip(shares, allocate(loss, fractions), strict=True))
