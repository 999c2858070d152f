"""Invest-first-equity-later (先投后股) conversion at the next financing round.

Two kinds of converting money, solved together in one round:

* plain funding (no cap, no discount) converts at the round price as if it had invested in the
  round: 2,000,000 at a 50,000,000 pre-money round with no other new money owns 2/52;
* funding with a valuation cap and/or a discount follows the post-money SAFE: its shares are part
  of the pre-money capitalization, conversion price = min(cap price, discount price), where
  cap price = cap / capitalization and discount price = round price * (1 - discount).

With ``T`` the pre-money capitalization including the capped/discounted conversions and
``m_i = min(cap_i, pre_money * (1 - discount_i))``, instrument i gets ``a_i * T / m_i`` shares, so
``T = existing_shares / (1 - sum(a_i / m_i))`` and the round price is ``pre_money / T``. Prices are
exact rationals; share counts are rounded down.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, localcontext
from fractions import Fraction

from . import _checks
from .errors import CalcError


@dataclass(frozen=True)
class Instrument:
    """One converting investment; ``discount`` is a fraction (0.2 = 20 % off the round price)."""

    amount: Decimal
    discount: Decimal | None = None
    valuation_cap: Decimal | None = None  # post-money valuation cap


@dataclass(frozen=True)
class Conversion:
    instrument: Instrument
    price: Decimal | None  # per share, 6 decimals for display; None without a share basis
    shares: int | None
    ownership: Decimal  # fraction of the company after the round


@dataclass(frozen=True)
class RoundResult:
    conversions: tuple[Conversion, ...]
    round_price: Decimal | None
    post_money: Decimal  # pre-money + new money + plain converting funding
    post_money_shares: int | None

    @property
    def shares(self) -> int | None:
        return self.conversions[0].shares

    @property
    def ownership(self) -> Decimal:
        return self.conversions[0].ownership

    @property
    def price(self) -> Decimal | None:
        return self.conversions[0].price


def _dec(x: Fraction, places: int | None = None) -> Decimal:
    with localcontext() as ctx:
        ctx.prec = 40
        d = Decimal(x.numerator) / Decimal(x.denominator)
        return d.quantize(Decimal(1).scaleb(-places)) if places is not None else +d


def _instruments(amount: object, discount: object, valuation_cap: object) -> list[Instrument]:
    if isinstance(amount, (list, tuple)):
        if discount is not None or valuation_cap is not None:
            raise CalcError("ambiguous_terms", "discount",
                            "传入多个投资时,折扣和估值上限写在每个 Instrument 里",
                            "with several instruments put discount and valuation_cap on each Instrument")
        if not amount:
            raise CalcError("empty", "amount", "amount 不能为空", "amount must not be empty")
        items: Sequence[object] = amount
    else:
        items = [Instrument(amount, discount, valuation_cap)]  # type: ignore[arg-type]  # checked below
    out = []
    for i, it in enumerate(items):
        if not isinstance(it, Instrument):
            raise CalcError("not_instrument", f"amount[{i}]", "列表元素必须是 Instrument",
                            "list items must be Instrument objects")
        field = "amount" if len(items) == 1 and not isinstance(amount, (list, tuple)) else f"amount[{i}]"
        a = _checks.money(it.amount, field, positive=True)
        d = None if it.discount is None else _checks.number(it.discount, "discount", minimum=Decimal(0),
                                                            maximum=Decimal("0.99"))
        c = None if it.valuation_cap is None else _checks.money(it.valuation_cap, "valuation_cap",
                                                                positive=True)
        out.append(Instrument(a, d, c))
    return out


def convert_at_round(amount: object, *, pre_money: object, new_money: object, price_per_share: object = None,
                     discount: object = None, valuation_cap: object = None,
                     existing_shares: int | None = None) -> RoundResult:
    """Shares and ownership of converting funding at a priced round.

    ``amount`` is a Decimal (with optional ``discount``/``valuation_cap``) or a list of
    ``Instrument``. Share counts need ``existing_shares`` (pre-money fully diluted, before any
    conversion) or ``price_per_share`` (the round's price, which then overrides the derived one).
    Ownership comes from share counts when ``existing_shares`` is given, else from values.
    """
    items = _instruments(amount, discount, valuation_cap)
    pre = Fraction(_checks.money(pre_money, "pre_money", positive=True))
    new = Fraction(_checks.money(new_money, "new_money"))
    if existing_shares is not None:
        _checks.integer(existing_shares, "existing_shares", minimum=1, maximum=10**15)
    price = None
    if price_per_share is not None:
        price = Fraction(_checks.number(price_per_share, "price_per_share", minimum=Decimal("0.000001")))

    safe = [it.discount is not None or it.valuation_cap is not None for it in items]
    m = [min(Fraction(it.valuation_cap) if it.valuation_cap is not None else pre,
             pre * (1 - Fraction(it.discount or 0))) for it in items]
    f = sum((Fraction(it.amount) / mi for it, mi, sf in zip(items, m, safe, strict=True) if sf), Fraction(0))
    if f >= 1:
        raise CalcError("conversion_exceeds_company", "valuation_cap",
                        "转股金额按上限/折扣计算后超过公司全部股份",
                        "capped or discounted conversions would own the whole company")
    plain = sum((Fraction(it.amount) for it, sf in zip(items, safe, strict=True) if not sf), Fraction(0))
    post_value = pre + new + plain

    capitalization = None
    if price is not None:
        capitalization = pre / price
    elif existing_shares is not None:
        capitalization = existing_shares / (1 - f)
        price = pre / capitalization

    conversions: list[tuple[Instrument, Fraction | None, int | None, Fraction]] = []
    shares: list[int] = []
    for it, mi, sf in zip(items, m, safe, strict=True):
        a = Fraction(it.amount)
        if price is None:
            conversions.append((it, None, None, a / mi * pre / post_value if sf else a / post_value))
            continue
        p = price * mi / pre if sf else price
        n = int(a / p)  # floor: shares are rounded down
        shares.append(n)
        conversions.append((it, p, n, a / mi * pre / post_value if sf else a / post_value))

    post_shares = None
    if existing_shares is not None:
        assert price is not None  # derived from existing_shares above
        post_shares = existing_shares + sum(shares) + int(new / price)
        conversions = [(it, p, n, Fraction(n or 0, post_shares)) for it, p, n, _ in conversions]
    return RoundResult(
        tuple(Conversion(it, None if p is None else _dec(p, 6), n, _dec(own))
              for it, p, n, own in conversions),
        None if price is None else _dec(price, 6), _dec(post_value, 2), post_shares)
