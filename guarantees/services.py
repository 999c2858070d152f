"""Every write of the pool and guarantee schemes.

Locking: every service that moves a pool's money locks the pool row first (``select_for_update``), then the
claim, then lets ``entry_post`` lock the ledger accounts in pk order. Because every writer of a pool's
accounts holds the pool lock, the balances read after taking it are the ones the posting will change, and
the pool row's cached figures never lose an update. The ledger floors (``may_go_negative=False``) and the
pool row's CheckConstraints back the checks in the database.

Ledger layout per pool (codes ``pool:<id>:...``):
  cash (asset)               = Σ available + Σ reserved
  avail:<sponsor org> (liab) sponsor's unreserved money, floor 0
  reserved:<sponsor org>     money held for approved claims, floor 0
contribution: Dr cash / Cr avail · withdrawal: Dr avail / Cr cash · approval: Dr avail / Cr reserved
payment: Dr reserved / Cr cash · rejection after approval: Dr reserved / Cr avail · recovery: Dr cash / Cr avail

Caps (pool.cap_per_loan, pool.cap_per_bank, pool.cap_per_year) ship without a value (domain: "(none)"): a claim
cannot be filed on a pool until its administrator sets them (PolicyParameterMissing names the parameter).
They bound what the pool pays (province + city): per loan, per bank over the pool's life, per calendar
year of filing. When the ratio split is above a cap, the pool pays up to the cap (province/city keep their
proportion) and the bank bears the rest; a claim with no headroom left is refused. Cumulative caps count
claims approved or paid and are checked again under the pool lock at approval.
"""
from __future__ import annotations

import calendar
import datetime as dt
import hashlib
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.utils import timezone
from djmoney.money import Money

from finance.approvals.services import (
    approval_current,
    approval_decide,
    approval_is_valid,
    approval_submit,
    state_change,
    state_change_record,
)
from finance.calc import allocate, split_loss
from finance.core.errors import Conflict, DomainError, InvalidTransition, NotFound, PermissionDenied
from finance.core.inputs import check_currency, parse_amount
from finance.core.money import fen
from finance.ledger.models import Account, AccountKind
from finance.ledger.services import account_get_or_create, credit, debit, entry_post
from finance.parties.models import Organisation, OrgKind, Role
from finance.policy.services import PolicyHistory, PolicyUse
from loans.models import Loan, LoanClass, LoanStatus

from .models import (
    CLAIM_TRANSITIONS,
    SCHEME_COUNTER_GUARANTEES,
    Claim,
    ClaimDocument,
    ClaimStatus,
    CounterGuarantee,
    Enrolment,
    EnrolmentStatus,
    Guarantee,
    GuaranteePayout,
    GuaranteeRecovery,
    GuaranteeStatus,
    LoanCategory,
    MovementKind,
    PoolMovement,
    PoolSponsor,
    PoolStatus,
    Recovery,
    RiskPool,
    SponsorLevel,
)

CLAIM_KIND = "pool_claim"
HUNDRED = Decimal(100)
ENROLLABLE_LOAN_STATUSES = (LoanStatus.ACTIVE, LoanStatus.OVERDUE)
NPL_CLASSES = (LoanClass.SUBSTANDARD, LoanClass.DOUBTFUL, LoanClass.LOSS)
DEFAULT_STATUSES = (LoanStatus.DEFAULTED, LoanStatus.WRITTEN_OFF)


POOL_KEYS = ("pool.share.province", "pool.share.city", "pool.share.bank", "pool.rd_credit.province_share",
             "pool.rd_credit.city_share", "pool.rd_credit.government_share_max", "pool.leverage_multiple",
             "pool.enrolment_deadline_months", "pool.claim_trigger_dpd", "pool.cap_per_loan", "pool.cap_per_bank",
             "pool.cap_per_year", "pool.npl_suspension_ratio")


def pool_policy(*, on: dt.date, scope: str) -> PolicyUse:
    """``PolicyUse`` for one pool decision with every pool parameter read in one query."""
    return PolicyUse(on=on, scope=scope, history=PolicyHistory(scope=scope, keys=POOL_KEYS))


def _today() -> dt.date:
    return timezone.localdate()


def add_months(day: dt.date, months: int) -> dt.date:
    """Same day ``months`` later, clipped to the month's end (31 Jan + 1 → 28/29 Feb)."""
    m = day.month - 1 + months
    year, month = day.year + m // 12, m % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _cny(pool: RiskPool, amount: Decimal) -> Money:
    return Money(amount, pool.currency)


def _lock_pool(pool_id: int) -> RiskPool:
    return RiskPool.objects.select_for_update().get(pk=pool_id)


def _require_role(user, *roles):
    if not user.has_role(*roles):
        raise PermissionDenied(f"需要角色：{'/'.join(roles)}", f"this needs the role {'/'.join(roles)}",
                               code="role_required")


def _own_loan(loan_or_id, by) -> Loan:
    """The caller's bank's loan; anyone else's answers 404."""
    loan_id = loan_or_id.pk if isinstance(loan_or_id, Loan) else loan_or_id
    loan = Loan.objects.select_related("borrower").filter(pk=loan_id).first()
    if loan is None or by.organisation_id is None or loan.bank_id != by.organisation_id:
        raise NotFound("贷款", "loan")
    return loan


# ---------------------------------------------------------------- pools


@transaction.atomic
def pool_create(*, name: str, sponsors: list[tuple[Organisation, str, Decimal]], region: str = "",
                currency: str = "CNY", by=None) -> RiskPool:
    """A pool with its sponsors (department, level, funding share %); shares sum to 100, both levels present."""
    name = (name or "").strip()
    if not name:
        raise DomainError("资金池名称不能为空", "the pool needs a name", code="required", field="name")
    check_currency(currency)
    if RiskPool.objects.filter(name=name).exists():
        raise Conflict(f"资金池「{name}」已存在", f"a pool named '{name}' already exists", code="duplicate", field="name")
    if not sponsors:
        raise DomainError("资金池至少需要一个出资方", "a pool needs sponsors", code="required", field="sponsors")
    total = Decimal(0)
    seen = set()
    for org, level, share in sponsors:
        if org.kind != OrgKind.DEPARTMENT:
            raise DomainError(f"出资方 {org} 不是政府部门", f"sponsor {org} is not a department", code="invalid_sponsor",
                              field="sponsors")
        if level not in SponsorLevel.values:
            raise DomainError(f"出资方层级无效：{level}", f"invalid sponsor level: {level}", code="invalid_sponsor",
                              field="sponsors")
        if org.pk in seen:
            raise DomainError(f"出资方 {org} 重复", f"sponsor {org} appears twice", code="invalid_sponsor", field="sponsors")
        seen.add(org.pk)
        total += Decimal(share)
    levels = {level for _, level, _ in sponsors}
    if levels != {SponsorLevel.PROVINCE, SponsorLevel.CITY}:
        raise DomainError("资金池需要省级和市级出资方", "a pool needs a province and a city sponsor",
                          code="invalid_sponsor", field="sponsors")
    if total != HUNDRED:
        raise DomainError(f"出资比例合计应为 100%，现为 {total}%", f"funding shares must sum to 100%, not {total}%",
                          code="invalid_sponsor", field="sponsors")
    pool = RiskPool.objects.create(name=name, region=region, currency=currency, created_by=by)
    pool.cash_account = account_get_or_create(code=f"pool:{pool.pk}:cash", name=f"{name} 资金池存款",
                                              kind=AccountKind.ASSET, currency=currency, programme=pool,
                                              may_go_negative=False)
    pool.save(update_fields=["cash_account"])
    for org, level, share in sponsors:
        avail = account_get_or_create(code=f"pool:{pool.pk}:avail:{org.pk}", name=f"{name} · {org.name} 可用",
                                      kind=AccountKind.LIABILITY, currency=currency, owner=org, programme=pool,
                                      may_go_negative=False)
        reserved = account_get_or_create(code=f"pool:{pool.pk}:reserved:{org.pk}", name=f"{name} · {org.name} 预留",
                                         kind=AccountKind.LIABILITY, currency=currency, owner=org, programme=pool,
                                         may_go_negative=False)
        PoolSponsor.objects.create(pool=pool, organisation=org, level=level, funding_share=Decimal(share),
                                   available_account=avail, reserved_account=reserved)
    state_change_record(pool, from_state="", to_state=PoolStatus.ACTIVE, by=by, reason="pool created")
    return pool


def _sponsor(pool: RiskPool, sponsor) -> PoolSponsor:
    org_id = sponsor.organisation_id if isinstance(sponsor, PoolSponsor) else getattr(sponsor, "pk", sponsor)
    row = PoolSponsor.objects.select_related("available_account", "reserved_account").filter(
        pool=pool, organisation_id=org_id).first()
    if row is None:
        raise DomainError("该机构不是此资金池的出资方", "this organisation does not sponsor the pool",
                          code="not_a_sponsor", field="sponsor")
    return row


@transaction.atomic
def pool_contribute(*, pool: RiskPool, sponsor, amount, value_date: dt.date | None = None, by=None) -> PoolMovement:
    amount = parse_amount(amount, "amount")
    pool = _lock_pool(pool.pk)
    if pool.status != PoolStatus.ACTIVE:
        raise DomainError("资金池已关闭", "the pool is closed", code="pool_closed", status=409)
    sp = _sponsor(pool, sponsor)
    value_date = value_date or _today()
    mv = PoolMovement.objects.create(pool=pool, sponsor=sp, kind=MovementKind.CONTRIBUTION, amount=amount,
                                     value_date=value_date, by=by)
    mv.entry = entry_post(lines=[debit(pool.cash_account, _cny(pool, amount)),
                                 credit(sp.available_account, _cny(pool, amount))],
                          value_date=value_date, memo=f"资金池出资 contribution · {pool.name} · {sp.organisation.name}",
                          source=mv, idempotency_ref=f"pool-movement:{mv.pk}", by=by)
    mv.save(update_fields=["entry"])
    pool.funded += amount
    pool.available += amount
    pool.save(update_fields=["funded", "available"])
    return mv


def _insufficient(pool: RiskPool, needed: Decimal, sponsor: PoolSponsor | None = None, have: Decimal | None = None):
    extra = {"pool": pool.pk, "available": str(pool.available), "needed": str(needed)}
    if sponsor is not None:
        extra.update(sponsor=sponsor.organisation.name, sponsor_available=str(have))
        zh = (f"资金池余额不足：{pool.name} 中 {sponsor.organisation.name} 可用 {have}，需要 {needed}"
              f"（资金池可用合计 {pool.available}）")
        en = (f"insufficient pool balance: {sponsor.organisation.name} has {have} available in {pool.name}, "
              f"needed {needed} (pool available {pool.available})")
    else:
        zh = f"资金池余额不足：{pool.name} 可用 {pool.available}，需要 {needed}"
        en = f"insufficient pool balance: {pool.name} has {pool.available} available, needed {needed}"
    return DomainError(zh, en, code="insufficient_pool_balance", status=409, extra=extra)


@transaction.atomic
def pool_withdraw(*, pool: RiskPool, sponsor, amount, value_date: dt.date | None = None, by=None) -> PoolMovement:
    amount = parse_amount(amount, "amount")
    pool = _lock_pool(pool.pk)
    sp = _sponsor(pool, sponsor)
    have = Account.objects.get(pk=sp.available_account_id).normal_balance
    if have < amount:
        raise _insufficient(pool, amount, sp, have)
    value_date = value_date or _today()
    mv = PoolMovement.objects.create(pool=pool, sponsor=sp, kind=MovementKind.WITHDRAWAL, amount=amount,
                                     value_date=value_date, by=by)
    mv.entry = entry_post(lines=[debit(sp.available_account, _cny(pool, amount)),
                                 credit(pool.cash_account, _cny(pool, amount))],
                          value_date=value_date, memo=f"资金池撤资 withdrawal · {pool.name} · {sp.organisation.name}",
                          source=mv, idempotency_ref=f"pool-movement:{mv.pk}", by=by)
    mv.save(update_fields=["entry"])
    pool.withdrawn += amount
    pool.available -= amount
    pool.save(update_fields=["withdrawn", "available"])
    return mv


# ---------------------------------------------------------------- enrolment


def pool_exposure(pool: RiskPool) -> Decimal:
    """Outstanding principal of the pool's enrolled loans not yet compensated."""
    return (Loan.objects.filter(pool_enrolment__pool=pool,
                                pool_enrolment__status__in=[EnrolmentStatus.ENROLLED, EnrolmentStatus.CLAIMED])
            .aggregate(s=Sum("principal_outstanding"))["s"] or Decimal("0.00"))


def bank_npl(pool: RiskPool, bank_id: int) -> tuple[Decimal, Decimal, Decimal]:
    """(non-performing outstanding, total outstanding, ratio %) of a bank's loans enrolled in the pool.

    Non-performing: classified substandard, doubtful or loss, or defaulted / written off. Compensated loans
    count at their claimed loss (their outstanding may have been written down).
    """
    live = Enrolment.objects.filter(pool=pool, bank_id=bank_id).exclude(status=EnrolmentStatus.COMPENSATED)
    agg = live.aggregate(
        total=Sum("loan__principal_outstanding", default=Decimal(0)),
        npl=Sum("loan__principal_outstanding", default=Decimal(0),
                filter=Q(loan__loan_class__in=NPL_CLASSES) | Q(loan__status__in=DEFAULT_STATUSES)))
    comp_total = (Claim.objects.filter(pool=pool, bank_id=bank_id, status=ClaimStatus.PAID)
                  .aggregate(s=Sum("claimed_loss", default=Decimal(0)))["s"])
    total = agg["total"] + comp_total
    npl = agg["npl"] + comp_total
    ratio = (npl / total * HUNDRED).quantize(Decimal("0.01")) if total else Decimal("0.00")
    return npl, total, ratio


@transaction.atomic
def enrolment_create(*, pool: RiskPool, loan, by, category: str = LoanCategory.STANDARD,
                     on: dt.date | None = None) -> Enrolment:
    """备案: a bank covers one of its loans by a pool, within the deadline, under leverage and NPL limits."""
    on = on or _today()
    loan = _own_loan(loan, by)
    if category not in LoanCategory.values:
        raise DomainError(f"贷款类别无效：{category}", f"invalid loan category: {category}", code="invalid_category",
                          field="category")
    if loan.status not in ENROLLABLE_LOAN_STATUSES:
        raise DomainError(f"贷款状态为「{loan.get_status_display()}」，只有正常或逾期的已放款贷款可以备案",
                          f"the loan is {loan.status}; only active or overdue loans can be enrolled",
                          code="loan_not_eligible", field="loan_id", status=409)
    if not (loan.borrower.tech_sme_number or "").strip():
        raise DomainError(f"借款人 {loan.borrower.name} 未入库科技型中小企业", f"borrower {loan.borrower.name} is not a "
                          "registered tech-based SME", code="borrower_not_tech_sme", field="loan_id")
    if Enrolment.objects.filter(loan=loan).exists():
        raise Conflict("该贷款已备案", "this loan is already enrolled", code="already_enrolled", field="loan_id")
    if loan.principal_outstanding <= 0:
        raise DomainError("贷款无未偿本金", "the loan has no outstanding principal", code="loan_not_eligible",
                          field="loan_id", status=409)
    pool = _lock_pool(pool.pk)
    if pool.status != PoolStatus.ACTIVE:
        raise DomainError("资金池已关闭", "the pool is closed", code="pool_closed", status=409)
    use = pool_policy(on=on, scope=pool.scope)
    _ratios(use, category)  # a category whose loss shares are not set cannot be covered yet
    months = int(use("pool.enrolment_deadline_months"))
    deadline = add_months(loan.disbursed_on, months)
    if on > deadline:
        raise DomainError(f"已超过备案期限：放款日 {loan.disbursed_on}，须在 {deadline} 前（{months} 个月）备案",
                          f"enrolment deadline passed: disbursed {loan.disbursed_on}, enrol by {deadline} ({months} months)",
                          code="enrolment_deadline_passed", field="loan_id", extra={"deadline": str(deadline)})
    if on < loan.disbursed_on:
        raise DomainError("备案日期早于放款日", "enrolment date is before disbursement", code="invalid_date", field="on")
    threshold = use("pool.npl_suspension_ratio")
    npl, total, ratio = bank_npl(pool, loan.bank_id)
    if ratio > threshold:
        raise DomainError(
            f"银行在该资金池的不良率 {ratio}%（不良 {npl} / 合计 {total}）超过 {threshold}%，暂停新备案",
            f"the bank's NPL ratio in this pool is {ratio}% ({npl} of {total}), above {threshold}%: new enrolments "
            "are suspended", code="bank_suspended_npl", status=409,
            extra={"npl_ratio": str(ratio), "threshold": str(threshold), "npl": str(npl), "total": str(total)})
    leverage = use("pool.leverage_multiple")
    exposure = pool_exposure(pool)
    limit = fen(leverage * pool.available)
    after = exposure + loan.principal_outstanding
    if after > limit:
        raise DomainError(
            f"超过资金池放大倍数：在保余额 {exposure} + 本笔 {loan.principal_outstanding} = {after} > "
            f"{leverage} × 可用余额 {pool.available} = {limit}",
            f"pool leverage exceeded: exposure {exposure} + this loan {loan.principal_outstanding} = {after} > "
            f"{leverage} × available {pool.available} = {limit}",
            code="pool_leverage_exceeded", status=409,
            extra={"exposure": str(exposure), "limit": str(limit), "leverage": str(leverage)})
    try:
        with transaction.atomic():
            enrolment = Enrolment.objects.create(
                pool=pool, loan=loan, bank_id=loan.bank_id, category=category, enrolled_on=on,
                principal=loan.principal_outstanding, policy_snapshot=use.snapshot, enrolled_by=by,
                figures={"exposure_before": str(exposure), "limit": str(limit), "npl_ratio": str(ratio),
                         "deadline": str(deadline)})
    except IntegrityError:
        raise Conflict("该贷款已备案", "this loan is already enrolled", code="already_enrolled", field="loan_id") from None
    state_change_record(enrolment, from_state="", to_state=EnrolmentStatus.ENROLLED, by=by, reason="enrolled")
    return enrolment


# ---------------------------------------------------------------- claims


def _ratios(use: PolicyUse, category: str) -> dict[str, Decimal]:
    if category == LoanCategory.RD_CREDIT:
        p, c = use("pool.rd_credit.province_share"), use("pool.rd_credit.city_share")
        cap = use("pool.rd_credit.government_share_max")
        if p + c > cap:
            raise DomainError(f"研发信用贷款政府分担 {p + c}% 超过上限 {cap}%",
                              f"R&D credit government share {p + c}% is above the cap {cap}%",
                              code="policy_inconsistent", status=422)
        ratios = {"province": p, "city": c, "bank": HUNDRED - p - c}
    else:
        ratios = {"province": use("pool.share.province"), "city": use("pool.share.city"),
                  "bank": use("pool.share.bank")}
    if sum(ratios.values()) != HUNDRED or any(v < 0 for v in ratios.values()):
        raise DomainError(f"分担比例合计应为 100%：{ratios}", f"loss shares must sum to 100%: {ratios}",
                          code="policy_inconsistent", status=422)
    return ratios


def _committed(pool: RiskPool, *, bank_id=None, year=None, exclude=None) -> Decimal:
    qs = Claim.objects.filter(pool=pool, status__in=[ClaimStatus.APPROVED, ClaimStatus.PAID])
    if bank_id is not None:
        qs = qs.filter(bank_id=bank_id)
    if year is not None:
        qs = qs.filter(filed_on__year=year)
    if exclude is not None:
        qs = qs.exclude(pk=exclude)
    return qs.aggregate(s=Sum("government_amount"))["s"] or Decimal("0.00")


def _cap_headroom(use: PolicyUse, pool: RiskPool, bank_id: int, year: int, exclude=None) -> list[tuple[str, Decimal]]:
    per_loan = use("pool.cap_per_loan")
    per_bank = use("pool.cap_per_bank") - _committed(pool, bank_id=bank_id, exclude=exclude)
    per_year = use("pool.cap_per_year") - _committed(pool, year=year, exclude=exclude)
    return [("pool.cap_per_loan", fen(per_loan)), ("pool.cap_per_bank", fen(per_bank)),
            ("pool.cap_per_year", fen(per_year))]


def _sponsor_parts(pool: RiskPool, pay_province: Decimal, pay_city: Decimal) -> dict[str, str]:
    parts: dict[str, str] = {}
    for level, amount in ((SponsorLevel.PROVINCE, pay_province), (SponsorLevel.CITY, pay_city)):
        sponsors = list(pool.sponsors.filter(level=level).order_by("pk"))
        if amount <= 0:
            for s in sponsors:
                parts[str(s.pk)] = "0.00"
            continue
        for s, a in zip(sponsors, allocate(amount, [s.funding_share for s in sponsors]), strict=True):
            parts[str(s.pk)] = str(a)
    return parts


def _store_documents(claim: Claim, documents, by) -> None:
    from django.conf import settings

    for doc in documents or ():
        size = getattr(doc, "size", 0) or 0
        if size > settings.KEJIN_MAX_UPLOAD_BYTES:
            raise DomainError(f"文件 {doc.name} 过大", f"file {doc.name} is too large", code="file_too_large",
                              field="documents")
        digest = hashlib.sha256()
        for chunk in doc.chunks():
            digest.update(chunk)
        doc.seek(0)
        ClaimDocument.objects.create(claim=claim, file=doc, name=doc.name[:200], sha256=digest.hexdigest(), size=size,
                                     uploaded_by=by)


@transaction.atomic
def claim_file(*, loan, claimed_loss, by, documents=(), on: dt.date | None = None) -> Claim:
    """A bank claims compensation for its enrolled loan past the trigger; opens the maker-checker review."""
    on = on or _today()
    loan = _own_loan(loan, by)
    loss = parse_amount(claimed_loss, "claimed_loss")
    enrolment = Enrolment.objects.select_for_update().filter(loan=loan).first()
    if enrolment is None:
        raise DomainError("该贷款未在资金池备案，不能申请补偿", "the loan is not enrolled in a pool; no claim is possible",
                          code="loan_not_enrolled", field="loan_id", status=409)
    live = Claim.objects.filter(loan=loan).exclude(status=ClaimStatus.REJECTED).first()
    if live is not None:
        raise Conflict(f"该贷款已有补偿申请 #{live.pk}（{live.get_status_display()}），一笔贷款只补偿一次",
                       f"the loan already has claim #{live.pk} ({live.status}); a loan is compensated once",
                       code="already_claimed", field="loan_id")
    pool = enrolment.pool
    use = pool_policy(on=on, scope=pool.scope)
    trigger = use("pool.claim_trigger_dpd")
    if not (loan.dpd >= trigger or loan.status in DEFAULT_STATUSES):
        raise DomainError(f"贷款逾期 {loan.dpd} 天，未达到补偿触发条件（逾期 ≥ {trigger} 天或已违约）",
                          f"the loan is {loan.dpd} days past due; a claim needs ≥ {trigger} days or a default",
                          code="claim_not_triggered", field="loan_id", status=409)
    if loss > loan.principal_outstanding:
        raise DomainError(f"申报本金损失 {loss} 超过未偿本金 {loan.principal_outstanding}",
                          f"claimed loss {loss} is above the outstanding principal {loan.principal_outstanding}",
                          code="loss_above_outstanding", field="claimed_loss")
    ratios = _ratios(use, enrolment.category)
    split = split_loss(loss, {k: v / HUNDRED for k, v in ratios.items()})
    government = split["province"] + split["city"]
    pay = government
    capped_by = []
    for key, headroom in _cap_headroom(use, pool, loan.bank_id, on.year):
        if headroom < pay:
            pay = max(headroom, Decimal("0.00"))
            capped_by.append(key)
    if pay <= 0:
        raise DomainError(f"补偿上限已用尽（{', '.join(capped_by)}）", f"compensation cap exhausted ({', '.join(capped_by)})",
                          code="cap_exhausted", status=409, extra={"caps": capped_by})
    if pay < government:
        pay_province, pay_city = allocate(pay, [split["province"], split["city"]])
    else:
        pay_province, pay_city = split["province"], split["city"]
    claim = Claim.objects.create(
        pool=pool, enrolment=enrolment, loan=loan, bank_id=loan.bank_id, category=enrolment.category, filed_on=on,
        claimed_loss=loss, ratio_province=ratios["province"], ratio_city=ratios["city"], ratio_bank=ratios["bank"],
        split_province=split["province"], split_city=split["city"], split_bank=split["bank"],
        pay_province=pay_province, pay_city=pay_city, government_amount=pay_province + pay_city,
        capped_by=capped_by, sponsor_parts=_sponsor_parts(pool, pay_province, pay_city),
        policy_snapshot=use.snapshot, filed_by=by)
    _store_documents(claim, documents, by)
    approval_submit(item=claim, kind=CLAIM_KIND, amount=claim.government_amount, maker=by,
                    default_role=Role.DEPARTMENT_REVIEWER)
    enrolment.status = EnrolmentStatus.CLAIMED
    enrolment.save(update_fields=["status"])
    state_change_record(claim, from_state="", to_state=ClaimStatus.SUBMITTED, by=by, reason="claim filed")
    return claim


def _lock_claim(claim) -> tuple[RiskPool, Claim]:
    """Pool first, then claim: the fixed lock order of every claim service."""
    pool_id = Claim.objects.values_list("pool_id", flat=True).get(pk=claim.pk)
    pool = _lock_pool(pool_id)
    return pool, Claim.objects.select_for_update().get(pk=claim.pk)


def _parts(pool: RiskPool, claim: Claim) -> list[tuple[PoolSponsor, Decimal]]:
    sponsors = {s.pk: s for s in pool.sponsors.select_related("organisation", "available_account", "reserved_account")}
    return [(sponsors[int(k)], Decimal(v)) for k, v in sorted(claim.sponsor_parts.items(), key=lambda kv: int(kv[0]))
            if Decimal(v) > 0]


@transaction.atomic
def claim_approve(*, claim: Claim, by, comment: str = "") -> Claim:
    """One review level; the last level reserves the pool's money (refused if the pool can't cover it)."""
    pool, claim = _lock_claim(claim)
    if claim.status != ClaimStatus.SUBMITTED:
        raise InvalidTransition(f"申请状态为「{claim.get_status_display()}」，不能审批",
                                f"the claim is {claim.status}; it cannot be approved", field="status")
    request = approval_current(claim)
    if request is None:
        raise DomainError("该申请没有待审批的流程", "the claim has no pending approval", code="approval_closed", status=409)
    request = approval_decide(request=request, approver=by, approve=True, comment=comment,
                              default_role=Role.DEPARTMENT_REVIEWER)
    level = request.decisions.count()
    if request.status != "approved":
        state_change_record(claim, from_state=f"level {level - 1}", to_state=f"level {level}", by=by,
                            reason=comment or "approved at this level", field="approval")
        return claim
    use = pool_policy(on=claim.filed_on, scope=pool.scope)
    for key, headroom in _cap_headroom(use, pool, claim.bank_id, claim.filed_on.year, exclude=claim.pk):
        if headroom < claim.government_amount:
            raise DomainError(f"补偿上限 {key} 余量 {headroom} 不足以支付 {claim.government_amount}",
                              f"cap {key} has {headroom} left, less than {claim.government_amount}",
                              code="cap_exhausted", status=409, extra={"cap": key, "headroom": str(headroom)})
    parts = _parts(pool, claim)
    balances = dict(Account.objects.filter(pk__in=[s.available_account_id for s, _ in parts])
                    .values_list("pk", "balance"))
    if pool.available < claim.government_amount:
        raise _insufficient(pool, claim.government_amount)
    for sponsor, amount in parts:
        have = -balances[sponsor.available_account_id]
        if have < amount:
            raise _insufficient(pool, amount, sponsor, have)
    lines = []
    for sponsor, amount in parts:
        lines += [debit(sponsor.available_account, _cny(pool, amount)), credit(sponsor.reserved_account, _cny(pool, amount))]
    entry_post(lines=lines, value_date=_today(), memo=f"补偿预留 reserve · claim #{claim.pk}", source=claim,
               idempotency_ref=f"claim:{claim.pk}:reserve", by=by)
    pool.available -= claim.government_amount
    pool.reserved += claim.government_amount
    pool.save(update_fields=["available", "reserved"])
    state_change(claim, to=ClaimStatus.APPROVED, allowed=CLAIM_TRANSITIONS, by=by, reason=comment or "approved")
    return claim


@transaction.atomic
def claim_reject(*, claim: Claim, by, reason: str) -> Claim:
    """Refuse a claim under review, or cancel an approved one (its reservation goes back to available)."""
    if not (reason or "").strip():
        raise DomainError("请说明驳回理由", "give a reason for the rejection", code="required", field="reason")
    pool, claim = _lock_claim(claim)
    _require_role(by, Role.DEPARTMENT_REVIEWER)
    if claim.status == ClaimStatus.SUBMITTED:
        request = approval_current(claim)
        if request is not None and request.status == "pending":
            approval_decide(request=request, approver=by, approve=False, comment=reason,
                            default_role=Role.DEPARTMENT_REVIEWER)
    elif claim.status == ClaimStatus.APPROVED:
        lines = []
        for sponsor, amount in _parts(pool, claim):
            lines += [debit(sponsor.reserved_account, _cny(pool, amount)),
                      credit(sponsor.available_account, _cny(pool, amount))]
        entry_post(lines=lines, value_date=_today(), memo=f"释放预留 release · claim #{claim.pk}", source=claim,
                   idempotency_ref=f"claim:{claim.pk}:release", by=by)
        pool.available += claim.government_amount
        pool.reserved -= claim.government_amount
        pool.save(update_fields=["available", "reserved"])
    state_change(claim, to=ClaimStatus.REJECTED, allowed=CLAIM_TRANSITIONS, by=by, reason=reason)
    Enrolment.objects.filter(pk=claim.enrolment_id).update(status=EnrolmentStatus.ENROLLED)
    return claim


@transaction.atomic
def claim_pay(*, claim: Claim, by, on: dt.date | None = None) -> Claim:
    """Pay an approved claim out of its reservation."""
    on = on or _today()
    pool, claim = _lock_claim(claim)
    _require_role(by, Role.DEPARTMENT_REVIEWER)
    if claim.status != ClaimStatus.APPROVED:
        raise InvalidTransition(f"申请状态为「{claim.get_status_display()}」，不能支付",
                                f"the claim is {claim.status}; only approved claims are paid", field="status")
    if not approval_is_valid(claim):
        raise DomainError("审批已失效（申请在审批后被修改）", "the approval is no longer valid (the claim changed)",
                          code="approval_stale", status=409)
    lines = []
    for sponsor, amount in _parts(pool, claim):
        lines.append(debit(sponsor.reserved_account, _cny(pool, amount)))
    lines.append(credit(pool.cash_account, _cny(pool, claim.government_amount)))
    entry_post(lines=lines, value_date=on, memo=f"补偿支付 payment · claim #{claim.pk} · loan {claim.loan_id}",
               source=claim, idempotency_ref=f"claim:{claim.pk}:pay", by=by)
    pool.reserved -= claim.government_amount
    pool.paid += claim.government_amount
    pool.save(update_fields=["reserved", "paid"])
    claim.paid_amount = claim.government_amount
    claim.paid_on = on
    state_change(claim, to=ClaimStatus.PAID, allowed=CLAIM_TRANSITIONS, by=by, reason="paid")
    Enrolment.objects.filter(pk=claim.enrolment_id).update(status=EnrolmentStatus.COMPENSATED)
    from . import tasks

    transaction.on_commit(lambda: tasks.claim_paid_notify.delay(claim.pk))
    return claim


def _returned_by_sponsor(claim: Claim) -> dict[str, Decimal]:
    out: dict[str, Decimal] = {}
    for parts in claim.recoveries.values_list("sponsor_parts", flat=True):
        for k, v in parts.items():
            out[k] = out.get(k, Decimal(0)) + Decimal(v)
    return out


@transaction.atomic
def recovery_record(*, claim, recovered, costs, recovered_on: dt.date, by) -> Recovery:
    """The bank reports a recovery on a compensated loan; the net goes back in the claim's proportions."""
    claim_id = claim.pk if isinstance(claim, Claim) else claim
    visible = Claim.objects.filter(pk=claim_id).values_list("bank_id", flat=True).first()
    if visible is None or visible != by.organisation_id:
        raise NotFound("补偿申请", "claim")
    recovered = parse_amount(recovered, "recovered")
    costs = parse_amount(costs, "costs", allow_zero=True)
    pool, claim = _lock_claim(Claim(pk=claim_id))
    if claim.status != ClaimStatus.PAID:
        raise DomainError("只有已支付补偿的贷款才能登记追偿回收", "recoveries are recorded on paid claims only",
                          code="claim_not_paid", status=409)
    if recovered_on < claim.paid_on:
        raise DomainError("回收日期早于补偿支付日", "the recovery date is before the compensation was paid",
                          code="invalid_date", field="recovered_on")
    cum_recovered = claim.recovered_total + recovered
    if cum_recovered > claim.claimed_loss:
        raise DomainError(
            f"累计回收 {cum_recovered} 超过已补偿的本金损失 {claim.claimed_loss}（此前已回收 {claim.recovered_total}）",
            f"total recovered {cum_recovered} would exceed the compensated loss {claim.claimed_loss} "
            f"(already recovered {claim.recovered_total})", code="recovery_above_compensated", field="recovered")
    cum_costs = claim.costs_total + costs
    cum_net = max(cum_recovered - cum_costs, Decimal(0))
    target = min(claim.paid_amount, fen(cum_net * claim.paid_amount / claim.claimed_loss))
    net = max(recovered - costs, Decimal("0.00"))
    back = min(max(target - claim.returned_total, Decimal("0.00")), net)
    parts_out: dict[str, str] = {}
    entry = None
    if back > 0:
        paid_parts = [(s, a) for s, a in _parts(pool, claim)]
        done = _returned_by_sponsor(claim)
        alloc = allocate(back, [a for _, a in paid_parts])
        room = [a - done.get(str(s.pk), Decimal(0)) for s, a in paid_parts]
        # Never give a sponsor more than it paid: move any excess fen to sponsors with room left.
        spill = Decimal(0)
        for i in range(len(alloc)):
            if alloc[i] > room[i]:
                spill += alloc[i] - room[i]
                alloc[i] = room[i]
        for i in range(len(alloc)):
            take = min(spill, room[i] - alloc[i])
            alloc[i] += take
            spill -= take
        lines = [debit(pool.cash_account, _cny(pool, back))]
        for (sponsor, _), amount in zip(paid_parts, alloc, strict=True):
            if amount > 0:
                lines.append(credit(sponsor.available_account, _cny(pool, amount)))
                parts_out[str(sponsor.pk)] = str(amount)
    rec = Recovery.objects.create(claim=claim, recovered=recovered, costs=costs, net=net, returned_to_pool=back,
                                  kept_by_bank=net - back, sponsor_parts=parts_out, recovered_on=recovered_on,
                                  recorded_by=by)
    if back > 0:
        entry = entry_post(lines=lines, value_date=recovered_on, memo=f"追偿回收 recovery · claim #{claim.pk}",
                           source=rec, idempotency_ref=f"recovery:{rec.pk}:return", by=by)
        rec.entry = entry
        rec.save(update_fields=["entry"])
        pool.returned += back
        pool.available += back
        pool.save(update_fields=["returned", "available"])
    claim.recovered_total = cum_recovered
    claim.costs_total = cum_costs
    claim.returned_total += back
    claim.save(update_fields=["recovered_total", "costs_total", "returned_total"])
    state_change_record(claim, from_state=str(claim.returned_total - back), to_state=str(claim.returned_total),
                        by=by, reason=f"recovery #{rec.pk}: recovered {recovered}, costs {costs}, returned {back}",
                        field="returned_total")
    return rec


# ---------------------------------------------------------------- guarantees (鲁科担)


def _rate(value, field: str) -> Decimal:
    if isinstance(value, float):
        raise DomainError(f"{field} 必须是十进制字符串", f"{field} must be a decimal string", code="invalid_rate", field=field)
    try:
        rate = Decimal(str(value).strip())
    except Exception:
        raise DomainError(f"{field} 不是有效费率", f"{field} is not a valid rate", code="invalid_rate", field=field) from None
    if not rate.is_finite() or rate < 0 or rate > HUNDRED or rate.as_tuple().exponent < -4:
        raise DomainError(f"{field} 必须在 0–100 之间，最多四位小数", f"{field} must be 0–100 with at most 4 decimals",
                          code="invalid_rate", field=field)
    return rate


GUARANTEE_PARTIES = ("bank", "guarantor", "reguarantor", "national_fund")


@transaction.atomic
def guarantee_register(*, loan, amount, fee_rate, counter_guarantee: str, start_on: dt.date, end_on: dt.date,
                       by) -> Guarantee:
    """A guarantor registers a scheme guarantee: IP / licence / no counter-guarantee and fee ≤ the cap."""
    if by.organisation_id is None or by.organisation.kind != OrgKind.GUARANTOR:
        raise PermissionDenied("只有担保机构可以登记担保", "only guarantors register guarantees", code="role_required")
    loan_id = loan.pk if isinstance(loan, Loan) else loan
    loan = Loan.objects.filter(pk=loan_id).first()
    if loan is None:
        raise NotFound("贷款", "loan")
    amount = parse_amount(amount, "amount")
    fee_rate = _rate(fee_rate, "fee_rate")
    if counter_guarantee not in CounterGuarantee.values:
        raise DomainError(f"反担保方式无效：{counter_guarantee}", f"invalid counter-guarantee: {counter_guarantee}",
                          code="invalid_choice", field="counter_guarantee")
    if loan.status not in (LoanStatus.SUBMITTED, LoanStatus.ACTIVE):
        raise DomainError("只能为未逾期的贷款提供担保", "only performing loans can be guaranteed",
                          code="loan_not_eligible", field="loan_id", status=409)
    if amount > loan.principal.amount:
        raise DomainError(f"担保金额 {amount} 超过贷款本金 {loan.principal.amount}",
                          f"guaranteed amount {amount} is above the loan principal {loan.principal.amount}",
                          code="amount_above_principal", field="amount")
    if end_on <= start_on:
        raise DomainError("担保到期日须晚于起始日", "the end date must be after the start date", code="invalid_date",
                          field="end_on")
    use = PolicyUse(on=start_on)
    if counter_guarantee not in SCHEME_COUNTER_GUARANTEES:
        raise DomainError("鲁科担仅支持知识产权、许可使用权反担保或无反担保",
                          "the scheme accepts IP or licence-right counter-guarantees, or none",
                          code="counter_guarantee_not_eligible", field="counter_guarantee")
    fee_max = use("guarantee.fee_rate_max")
    if fee_rate > fee_max:
        raise DomainError(f"担保费率 {fee_rate}%/年 超过上限 {fee_max}%/年", f"fee rate {fee_rate}%/yr is above the "
                          f"{fee_max}%/yr cap", code="fee_rate_above_cap", field="fee_rate",
                          extra={"fee_rate_max": str(fee_max)})
    if Guarantee.objects.filter(loan=loan, guarantor_id=by.organisation_id).exists():
        raise Conflict("该担保已登记", "this guarantee is already registered", code="duplicate", field="loan_id")
    subsidy_rate = min(fee_rate, use("guarantee.premium_subsidy_rate"))
    guarantee = Guarantee.objects.create(
        loan=loan, guarantor_id=by.organisation_id, bank_id=loan.bank_id, amount=amount, fee_rate=fee_rate,
        counter_guarantee=counter_guarantee, start_on=start_on, end_on=end_on, premium_subsidy_rate=subsidy_rate,
        premium_subsidy_yearly=fen(amount * subsidy_rate / HUNDRED), policy_snapshot=use.snapshot, registered_by=by)
    state_change_record(guarantee, from_state="", to_state=GuaranteeStatus.ACTIVE, by=by, reason="registered")
    return guarantee


def _own_guarantee(guarantee, by) -> Guarantee:
    gid = guarantee.pk if isinstance(guarantee, Guarantee) else guarantee
    g = Guarantee.objects.select_for_update().filter(pk=gid).first()
    if g is None or g.guarantor_id != by.organisation_id:
        raise NotFound("担保", "guarantee")
    return g


@transaction.atomic
def payout_record(*, guarantee, amount, paid_on: dt.date, by) -> GuaranteePayout:
    """代偿 on default: share the loss (guarantee.share.*) and compensate the guarantor up to 20% of the amount."""
    g = _own_guarantee(guarantee, by)
    amount = parse_amount(amount, "amount")
    if g.status != GuaranteeStatus.ACTIVE:
        raise DomainError("该担保已代偿或已解除", "the guarantee was already paid out or released",
                          code="already_paid_out", status=409)
    if amount > g.amount:
        raise DomainError(f"代偿金额 {amount} 超过担保金额 {g.amount}", f"payout {amount} is above the guaranteed "
                          f"amount {g.amount}", code="payout_above_guarantee", field="amount")
    use = PolicyUse(on=paid_on)
    loan = g.loan
    trigger = use("pool.claim_trigger_dpd")
    if not (loan.status in DEFAULT_STATUSES or loan.dpd >= trigger):
        raise DomainError(f"贷款未违约（逾期 {loan.dpd} 天），不能代偿", f"the loan is not in default ({loan.dpd} days "
                          "past due); no payout", code="loan_not_defaulted", field="guarantee_id", status=409)
    shares = {p: use(f"guarantee.share.{p}") for p in GUARANTEE_PARTIES}
    if sum(shares.values()) != HUNDRED:
        raise DomainError(f"担保风险分担比例合计应为 100%：{shares}", f"risk shares must sum to 100%: {shares}",
                          code="policy_inconsistent", status=422)
    split = split_loss(amount, {k: v / HUNDRED for k, v in shares.items()})
    cap = fen(g.amount * use("guarantee.payout_compensation_share") / HUNDRED)
    compensation = min(split["guarantor"], cap)
    payout = GuaranteePayout.objects.create(
        guarantee=g, amount=amount, paid_on=paid_on, shares={k: str(v) for k, v in shares.items()},
        split={k: str(v) for k, v in split.items()}, compensation=compensation, policy_snapshot=use.snapshot,
        recorded_by=by)
    if compensation > 0:
        expense = account_get_or_create(code="guarantee:compensation:expense", name="鲁科担代偿补偿支出",
                                        kind=AccountKind.EXPENSE)
        payable = account_get_or_create(code=f"guarantee:compensation:payable:{g.guarantor_id}",
                                        name=f"应付代偿补偿 · {g.guarantor.name}", kind=AccountKind.LIABILITY,
                                        owner=g.guarantor)
        payout.entry = entry_post(lines=[debit(expense, Money(compensation, "CNY")),
                                         credit(payable, Money(compensation, "CNY"))],
                                  value_date=paid_on, memo=f"代偿补偿 compensation · guarantee #{g.pk}", source=payout,
                                  idempotency_ref=f"guarantee-payout:{payout.pk}:compensation", by=by)
        payout.save(update_fields=["entry"])
    state_change(g, to=GuaranteeStatus.PAID_OUT, allowed={GuaranteeStatus.ACTIVE: {GuaranteeStatus.PAID_OUT}},
                 by=by, reason=f"payout {amount}")
    return payout


@transaction.atomic
def guarantee_recovery_record(*, payout, recovered, costs, recovered_on: dt.date, by) -> GuaranteeRecovery:
    """Recoveries after a payout go back to the four parties in the payout's proportions."""
    pid = payout.pk if isinstance(payout, GuaranteePayout) else payout
    payout = GuaranteePayout.objects.select_for_update().select_related("guarantee").filter(pk=pid).first()
    if payout is None or payout.guarantee.guarantor_id != by.organisation_id:
        raise NotFound("代偿", "payout")
    recovered = parse_amount(recovered, "recovered")
    costs = parse_amount(costs, "costs", allow_zero=True)
    if payout.recovered_total + recovered > payout.amount:
        raise DomainError(f"累计回收 {payout.recovered_total + recovered} 超过代偿金额 {payout.amount}",
                          f"total recovered {payout.recovered_total + recovered} would exceed the payout {payout.amount}",
                          code="recovery_above_compensated", field="recovered")
    net = max(recovered - costs, Decimal("0.00"))
    split = split_loss(net, {k: Decimal(v) / HUNDRED for k, v in payout.shares.items()}) if net > 0 else {}
    rec = GuaranteeRecovery.objects.create(payout=payout, recovered=recovered, costs=costs, net=net,
                                           split={k: str(v) for k, v in split.items()}, recovered_on=recovered_on,
                                           recorded_by=by)
    payout.recovered_total += recovered
    payout.save(update_fields=["recovered_total"])
    return rec
