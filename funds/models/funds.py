"""The guidance fund, sub-funds and their LP commitments."""
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from finance.parties.models import Organisation

MONEY = {"max_digits": 18, "decimal_places": 2}
#: The platform's one currency whitelist (settings.CURRENCIES), enforced by constraint where money is stored.
CURRENCY_WHITELIST = list(settings.CURRENCIES)


class FundStatus(models.TextChoices):
    FUNDRAISING = "fundraising", _("Fundraising")
    INVESTING = "investing", _("Investing")
    HARVESTING = "harvesting", _("Harvesting")
    CLOSED = "closed", _("Closed")


class GuidanceFund(models.Model):
    name = models.CharField(_("name"), max_length=200)
    manager = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="guidance_funds",
                                verbose_name=_("manager"))
    size = models.DecimalField(_("size"), **MONEY)
    currency = models.CharField(max_length=3, default="CNY")
    vintage = models.DateField(_("vintage"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(name="guidance_size_positive", condition=Q(size__gt=0)),
            models.CheckConstraint(name="guidance_currency_whitelist",
                                   condition=Q(currency__in=CURRENCY_WHITELIST)),
        ]

    def __str__(self):
        return self.name

    @property
    def owner_org_id(self):
        return self.manager_id


class FeeBasis(models.TextChoices):
    COMMITTED = "committed", _("Committed capital")  # old accruals only: no fund may use it (domain.md)
    PAID_IN = "paid_in", _("Paid-in capital")
    INVESTED = "invested", _("Invested capital")


#: The management fee is charged on paid-in or invested capital only (domain.md), never on commitments.
ALLOWED_FEE_BASES = (FeeBasis.PAID_IN, FeeBasis.INVESTED)


class SubFund(models.Model):
    guidance_fund = models.ForeignKey(GuidanceFund, on_delete=models.PROTECT, related_name="sub_funds")
    name = models.CharField(_("name"), max_length=200)
    manager = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="sub_funds",
                                verbose_name=_("manager (GP)"))
    size = models.DecimalField(_("size"), **MONEY)
    currency = models.CharField(max_length=3, default="CNY")
    vintage = models.DateField(_("vintage (first close)"))
    term_years = models.PositiveSmallIntegerField(_("term (years)"), default=10)
    investment_period_years = models.PositiveSmallIntegerField(_("investment period (years)"), default=5)
    strategy = models.CharField(_("strategy"), max_length=200, blank=True)
    region = models.CharField(_("region"), max_length=50, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=FundStatus.choices,
                              default=FundStatus.INVESTING)
    # Waterfall terms (fractions: 0.08 = 8 %).
    hurdle_rate = models.DecimalField(_("hurdle rate"), max_digits=6, decimal_places=4, default=0)
    hurdle_compounding = models.CharField(max_length=8, default="simple",
                                          choices=[("simple", _("Simple")), ("annual", _("Annual"))])
    catch_up_share = models.DecimalField(_("GP catch-up share"), max_digits=6, decimal_places=4, default=0)
    carry_share = models.DecimalField(_("carried interest share"), max_digits=6, decimal_places=4, default=0)
    profit_concession = models.BooleanField(_("government LP concedes profit (让利)"), default=False)
    fee_rate = models.DecimalField(_("management fee rate per year (%)"), max_digits=6, decimal_places=4,
                                   default=0)
    fee_basis = models.CharField(_("management fee basis"), max_length=10, choices=FeeBasis.choices,
                                 default=FeeBasis.PAID_IN)
    policy = models.JSONField(default=dict, blank=True)  # parameters used by the last set-up check
    created_at = models.DateTimeField(auto_now_add=True)

    TRANSITIONS = {FundStatus.FUNDRAISING: {FundStatus.INVESTING, FundStatus.CLOSED},
                   FundStatus.INVESTING: {FundStatus.HARVESTING, FundStatus.CLOSED},
                   FundStatus.HARVESTING: {FundStatus.CLOSED}}

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(name="subfund_size_positive", condition=Q(size__gt=0)),
            models.CheckConstraint(name="subfund_fee_basis_paid_in_or_invested",
                                   condition=Q(fee_basis__in=["paid_in", "invested"])),
            models.CheckConstraint(name="subfund_currency_whitelist",
                                   condition=Q(currency__in=CURRENCY_WHITELIST)),
            models.CheckConstraint(name="subfund_shares_fractions",
                                   condition=Q(hurdle_rate__gte=0, hurdle_rate__lte=1, carry_share__gte=0,
                                               carry_share__lte=1, catch_up_share__gte=0,
                                               catch_up_share__lte=1)),
            models.UniqueConstraint(fields=["guidance_fund", "name"], name="subfund_name_unique"),
        ]

    def __str__(self):
        return self.name

    @property
    def owner_org_id(self):
        return self.manager_id


class LPKind(models.TextChoices):
    GUIDANCE = "guidance", _("Guidance fund")
    PROVINCIAL = "provincial", _("Other provincial government money")
    CITY = "city", _("City / county government money")
    SOCIAL = "social", _("Social capital")


GOVERNMENT_KINDS = (LPKind.GUIDANCE, LPKind.PROVINCIAL, LPKind.CITY)
PROVINCIAL_KINDS = (LPKind.GUIDANCE, LPKind.PROVINCIAL)


class Commitment(models.Model):
    """An LP's commitment to a sub-fund: an organisation (department, enterprise) or a named social
    investor."""

    sub_fund = models.ForeignKey(SubFund, on_delete=models.PROTECT, related_name="commitments")
    lp_kind = models.CharField(_("LP kind"), max_length=10, choices=LPKind.choices)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="fund_commitments")
    investor_name = models.CharField(_("investor name"), max_length=200, blank=True)
    amount = models.DecimalField(_("commitment"), **MONEY)
    committed_on = models.DateField(_("committed on"))
    # Sum of call lines issued against this commitment (maintained under a row lock by the call service).
    called = models.DecimalField(_("called"), default=0, **MONEY)

    class Meta:
        ordering = ["sub_fund", "id"]
        constraints = [
            models.CheckConstraint(name="commitment_amount_positive", condition=Q(amount__gt=0)),
            models.CheckConstraint(name="commitment_called_within",
                                   condition=Q(called__gte=0, called__lte=models.F("amount"))),
            models.CheckConstraint(name="commitment_has_lp",
                                   condition=Q(organisation__isnull=False) | ~Q(investor_name="")),
            models.UniqueConstraint(fields=["sub_fund"], condition=Q(lp_kind="guidance"),
                                    name="commitment_one_guidance_per_fund"),
        ]

    def __str__(self):
        return self.lp_name

    @property
    def lp_name(self):
        return self.organisation.name if self.organisation_id else self.investor_name

    @property
    def unfunded(self):
        return self.amount - self.called

    @property
    def owner_org_id(self):
        return self.sub_fund.manager_id
