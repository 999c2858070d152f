"""Each seeded value takes effect from the date of its source, and ends where a newer rule replaced it.

Until now every seeded value took effect from 2017-12-01, so the 2023 rules (155号 subsidy and pool shares,
the 2023 five-category thresholds) applied to earlier decisions and the older IP-pledge subsidy figures never
ended. This migration moves the seeded rows (global scope, effective 2017-12-01, set by nobody, still holding
the seeded value) to their dated rows below; rows an administrator added are left alone. It is idempotent, and
it brings a database seeded by the first release to exactly the rows a fresh database gets (0002 → 0004 →
this one). Values are written literally: nothing here reads the live catalogue.

Dates, and where they come from (../shared/domain.md and ../shared/seeds/):
- 2017-12-01 (EPOCH): figures without a dated source ("seen" in other provinces, platform defaults, the
  IP-pledge subsidy rules "seen in earlier years"). The platform's policy epoch, the date the 条例 was revised.
- 2017-10-01: 融资担保公司监督管理条例 (State Council order 683) in force (guarantor leverage ≤ 10×).
- 2018-01-01: 山东省促进科技成果转化条例, revised 2017-12-01; its 第四十五条 says it is in force from
  2018-01-01 (seeds/003_…): publicity ≥ 15 days (十四), inventor reward ≥ 70 % (三十四).
- 2023-01-01: 鲁政办字〔2023〕155号 (interest subsidy 40 % / 500,000; pool shares 35/35/30 and the R&D
  credit government cap 90 %; guarantee fee cap, premium subsidy, payout compensation). CHOICE: the day is
  published neither in the seeds nor in domain.md; we take the first day of 2023. The IP-pledge subsidy
  figures of earlier years (60 % × benchmark rate, 500,000/yr, 2 years, 3 times; appraisal fee 50 %,
  50,000) end on the same day (``effective_to``, exclusive): 155号 replaced that scheme by another one, so a
  decision from that day on that asks for them is refused rather than given the old figure.
- 2023-07-01: 商业银行金融资产风险分类办法 (the 2023 five-category rules) in force.
- 2024-11-21: 鲁政办字〔2024〕148号 措施, issued 2024-11-21 and "自印发之日起施行" (seeds/000_…):
  talent equity support ≤ 5,000,000 (十一).
- 2025-01-01: the Shandong 股权联动 rules of 2025 (invest-first share cap 25 %). CHOICE: only the year is
  known; we take its first day.
Not moved (DEFERRED, a decision for the lead and the funds engineer): the 财教〔2021〕176号 fund rules
(provincial ≤ 20 %, government ≤ 50 %, use ≥ 3× and ≥ 50 %) keep the platform epoch. Dated from 2021 they
would refuse every sub-fund of an earlier vintage, the demo's 2018 fund and the funds tests' 2020 vintage
included; the day of 176号 is not published in the seeds or domain.md either. Dating them is one more
migration like this one once the funds side is ready.
The guarantee risk shares of the guarantor (40 %) and re-guarantor (20 %) were invented (domain.md: "the rest
between guarantor and re-guarantor", no published figure): their seeded rows are removed, so, like every
(none) figure, they ship empty and the decision that needs them is refused until an administrator sets them.
"""
from decimal import Decimal as D

from django.db import migrations

EPOCH = "2017-12-01"
GUARANTEE_REGULATIONS = "2017-10-01"
TIAOLI = "2018-01-01"
LU_155 = "2023-01-01"
FIVE_CATEGORY_2023 = "2023-07-01"
MEASURES_148 = "2024-11-21"
EQUITY_LINKAGE_2025 = "2025-01-01"

# key: (the value 0002 seeded at EPOCH, [(value, effective_from, effective_to or None, source note), ...])
DATED = {
    "investfirst.max_share": (D("25"), [(D("25"), EQUITY_LINKAGE_2025, None, "pub Shandong 股权联动 2025")]),
    "talent.equity_cap": (D("5000000"), [(D("5000000"), MEASURES_148, None, "pub 鲁政办字〔2024〕148号 十一")]),
    "loan.class.special_mention_dpd": (D("1"), [(D("1"), FIVE_CATEGORY_2023, None, "五级分类 2023")]),
    "loan.class.substandard_dpd": (D("91"), [(D("91"), FIVE_CATEGORY_2023, None, "五级分类 2023")]),
    "loan.class.doubtful_dpd": (D("271"), [(D("271"), FIVE_CATEGORY_2023, None, "五级分类 2023")]),
    "loan.class.loss_dpd": (D("361"), [(D("361"), FIVE_CATEGORY_2023, None, "五级分类 2023")]),
    "subsidy.paid_interest_share": (D("40"), [(D("40"), LU_155, None, "pub 鲁政办字〔2023〕155号")]),
    "subsidy.enterprise_cap": (D("500000"), [(D("500000"), LU_155, None, "pub 155号")]),
    "subsidy.benchmark_share": (D("60"), [(D("60"), EPOCH, LU_155, "earlier years; ended by 155号")]),
    "subsidy.yearly_cap": (D("500000"), [(D("500000"), EPOCH, LU_155, "earlier years; ended by 155号")]),
    "subsidy.years_per_loan": (D("2"), [(D("2"), EPOCH, LU_155, "earlier years; ended by 155号")]),
    "subsidy.times_per_firm": (D("3"), [(D("3"), EPOCH, LU_155, "earlier years; ended by 155号")]),
    "subsidy.appraisal_fee_share": (D("50"), [(D("50"), EPOCH, LU_155, "earlier years; ended by 155号")]),
    "subsidy.appraisal_fee_cap": (D("50000"), [(D("50000"), EPOCH, LU_155, "earlier years; ended by 155号")]),
    "pool.share.province": (D("35"), [(D("35"), LU_155, None, "pub 155号")]),
    "pool.share.city": (D("35"), [(D("35"), LU_155, None, "pub 155号")]),
    "pool.share.bank": (D("30"), [(D("30"), LU_155, None, "pub 155号")]),
    "pool.rd_credit.government_share_max": (D("90"), [(D("90"), LU_155, None, "pub 155号")]),
    "guarantee.fee_rate_max": (D("0.5"), [(D("0.5"), LU_155, None, "pub 155号")]),
    "guarantee.premium_subsidy_rate": (D("0.5"), [(D("0.5"), LU_155, None, "pub 155号")]),
    "guarantee.payout_compensation_share": (D("20"), [(D("20"), LU_155, None, "pub 155号")]),
    "guarantee.leverage_max": (D("10"), [(D("10"), GUARANTEE_REGULATIONS, None, "pub 融资担保公司监督管理条例")]),
    "transfer.publicity_days_min": (D("15"), [(D("15"), TIAOLI, None, "条例 十四")]),
    "transfer.inventor_reward_share_min": (D("70"), [(D("70"), TIAOLI, None, "条例 三十四")]),
    # Invented figures: no rows at all (ship empty, block like every (none) figure).
    "guarantee.share.guarantor": (D("40"), []),
    "guarantee.share.reguarantor": (D("20"), []),
}

# The parameter's own source text where it changes (the others keep the source 0002 gave them).
SOURCES = {
    "guarantee.share.guarantor": "none (the rest between guarantor and re-guarantor; no published figure)",
    "guarantee.share.reguarantor": "none (the rest between guarantor and re-guarantor; no published figure)",
}


def seed(Parameter, ParameterValue):
    for key, source in SOURCES.items():
        Parameter.objects.filter(key=key).update(source=source)
    for key, (seeded_value, rows) in DATED.items():
        param = Parameter.objects.get(key=key)
        seeded = ParameterValue.objects.filter(parameter=param, scope="", effective_from=EPOCH, effective_to=None,
                                               set_by=None, value=seeded_value, parameterchange__isnull=True)
        if not seeded.exists():
            continue  # already moved (idempotent), or replaced by an administrator: leave it
        seeded.delete()
        for value, effective_from, effective_to, note in rows:
            if not ParameterValue.objects.filter(parameter=param, scope="", effective_from=effective_from).exists():
                ParameterValue.objects.create(parameter=param, scope="", value=value, effective_from=effective_from,
                                              effective_to=effective_to, source_note=note)


def forwards(apps, schema_editor):
    seed(apps.get_model("policy", "Parameter"), apps.get_model("policy", "ParameterValue"))


class Migration(migrations.Migration):
    dependencies = [("policy", "0005_parametervalue_effective_to")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
