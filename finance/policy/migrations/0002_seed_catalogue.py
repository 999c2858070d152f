"""Seed every figure of domain.md (empty where no figure was published), as shipped with the first release.

Frozen: the values are written here literally (this migration used to import the live catalogue, so a database
created later would have been seeded differently from one created earlier). Every value takes effect from
2017-12-01, as it did then; 0006_dated_seeds gives each value the date of its source.
"""
from decimal import Decimal as D

from django.db import migrations

EPOCH = "2017-12-01"

# key, name_zh, name_en, unit, default (None = no published figure: ships empty and blocks), source
PARAMETERS = [
    ('fund.guidance_share_min', '引导基金出资比例下限', 'guidance share of a sub-fund, minimum', 'percent', D("10"), 'seen'),
    ('fund.guidance_share_max', '引导基金出资比例上限', 'guidance share of a sub-fund, maximum', 'percent', D("30"), 'seen'),
    ('fund.provincial_share_max', '省级财政出资比例上限', 'provincial money share, maximum', 'percent', D("20"), 'pub 财教〔2021〕176号'),
    ('fund.government_share_max', '各级政府出资合计比例上限', 'all government money share, maximum', 'percent', D("50"), 'pub 财教〔2021〕176号'),
    ('fund.use_multiple_of_guidance_min', '投向转化企业金额不低于引导基金出资倍数', 'conversion investments as multiple of guidance money, minimum', 'multiple', D("3"), 'pub 176号 Art.10'),
    ('fund.use_share_of_size_min', '投向转化企业金额占基金规模下限', 'conversion investments as share of fund size, minimum', 'percent', D("50"), 'pub 176号 Art.10'),
    ('fund.reinvestment_ratio', '省内返投比例（引导基金出资倍数）', 'in-province reinvestment ratio of guidance money', 'multiple', D("1"), 'seen 1–2×'),
    ('fund.management_fee_max', '管理费年费率上限', 'management fee per year, maximum', 'percent', D("2"), 'seen'),
    ('fund.single_deal_max', '单个项目投资占子基金规模上限', 'single deal share of sub-fund size, maximum', 'percent', D("20"), 'seen 10–20%'),
    ('fund.early_exit_free_years', '政府出资按成本退出期限', 'years in which the government share exits at cost', 'years', D("3"), 'seen'),
    ('fund.early_exit_reference_rate', '提前退出参考利率', 'early-exit reference interest rate', 'percent', None, 'none'),
    ('fund.near_breach_margin', '合规预警区间', 'compliance near-breach margin', 'percent', D("10"), 'platform default'),
    ('fund.profit_concession', '政府出资让利比例', 'government LP profit concession', 'percent', None, 'none'),
    ('committee.quorum_ratio', '投委会法定人数比例', 'investment committee quorum (share of members)', 'ratio', D("0.6666"), 'platform default: two thirds (votes ≥ 0.6666 × eligible)'),
    ('committee.majority_ratio', '投委会通过票数比例（严格超过）', 'investment committee majority (strictly more than)', 'ratio', D("0.5"), 'platform default'),
    ('investfirst.conversion_discount', '先投后股转股折扣', 'invest-first conversion discount', 'percent', D("0"), 'none found; 0 = at round price'),
    ('investfirst.max_share', '先投后股持股比例上限', 'invest-first shareholding cap', 'percent', D("25"), 'pub Shandong 股权联动 2025'),
    ('investfirst.conversion_deadline_months', '先投后股转股期限', 'invest-first conversion deadline', 'months', None, 'none'),
    ('grantinvestloan.grant_cap', '拨投贷拨款上限', 'grant-invest-loan grant cap', 'yuan', None, 'none'),
    ('grantinvestloan.exit_return', '拨投贷股权退出合理回报率', 'grant-invest-loan equity exit return', 'percent', None, 'none'),
    ('talent.equity_cap', '人才创业股权投资支持上限（每家企业）', 'talent startup equity support cap per enterprise', 'yuan', D("5000000"), 'pub 措施 十一'),
    ('talent.holding_years', '人才股权投资持有期', 'talent equity holding period', 'years', None, 'none'),
    ('loan.ltv_max.invention_patent', '发明专利质押率上限', 'loan-to-value cap, invention patent', 'percent', D("25"), 'seen, one bank'),
    ('loan.ltv_max.utility_model', '实用新型质押率上限', 'loan-to-value cap, utility model', 'percent', D("15"), 'seen, one bank'),
    ('loan.ltv_max.trademark', '商标质押率上限', 'loan-to-value cap, trademark', 'percent', D("50"), 'seen, one bank'),
    ('loan.ltv_max.copyright', '著作权质押率上限', 'loan-to-value cap, copyright', 'percent', None, 'none'),
    ('loan.term_max_months', '知识产权质押贷款最长期限', 'IP-pledge loan maximum term', 'months', D("36"), 'seen'),
    ('loan.rate_max', '贷款年利率上限', 'loan annual rate maximum', 'percent', D("24"), 'platform default (LPR×4 judicial cap ≈ 14.8%, set generously)'),
    ('loan.class.special_mention_dpd', '关注类起始逾期天数', 'special mention from days past due', 'days', D("1"), '五级分类 2023'),
    ('loan.class.substandard_dpd', '次级类起始逾期天数', 'substandard from days past due', 'days', D("91"), '五级分类 2023'),
    ('loan.class.doubtful_dpd', '可疑类起始逾期天数', 'doubtful from days past due', 'days', D("271"), '五级分类 2023'),
    ('loan.class.loss_dpd', '损失类起始逾期天数', 'loss from days past due', 'days', D("361"), '五级分类 2023'),
    ('subsidy.paid_interest_share', '贴息比例（实付利息）', 'interest subsidy share of interest paid', 'percent', D("40"), 'pub 鲁政办字〔2023〕155号'),
    ('subsidy.enterprise_cap', '贴息每家企业上限', 'interest subsidy cap per enterprise', 'yuan', D("500000"), 'pub 155号'),
    ('subsidy.benchmark_share', '知识产权质押贴息比例（基准利率）', 'IP-pledge subsidy share of benchmark rate', 'percent', D("60"), 'earlier years'),
    ('subsidy.benchmark_rate', '贴息基准利率', 'subsidy benchmark rate', 'percent', None, 'none'),
    ('subsidy.yearly_cap', '知识产权质押贴息年度上限', 'IP-pledge subsidy yearly cap', 'yuan', D("500000"), 'earlier years'),
    ('subsidy.years_per_loan', '单笔贷款贴息年限', 'subsidy years per loan', 'years', D("2"), 'earlier years'),
    ('subsidy.times_per_firm', '每家企业贴息次数', 'subsidy times per firm', 'count', D("3"), 'earlier years'),
    ('subsidy.appraisal_fee_share', '评估费补贴比例', 'appraisal-fee subsidy share', 'percent', D("50"), 'earlier years'),
    ('subsidy.appraisal_fee_cap', '评估费补贴上限', 'appraisal-fee subsidy cap', 'yuan', D("50000"), 'earlier years'),
    ('pool.share.province', '省级分担比例', 'pool loss share, province', 'percent', D("35"), 'pub 155号'),
    ('pool.share.city', '市级分担比例', 'pool loss share, city', 'percent', D("35"), 'pub 155号'),
    ('pool.share.bank', '银行分担比例', 'pool loss share, bank', 'percent', D("30"), 'pub 155号'),
    ('pool.rd_credit.government_share_max', '研发信用贷款政府分担上限', 'early-stage R&D credit: government share cap', 'percent', D("90"), 'pub'),
    ('pool.rd_credit.province_share', '研发信用贷款省级分担比例', 'early-stage R&D credit: province share', 'percent', None, 'none'),
    ('pool.rd_credit.city_share', '研发信用贷款市级分担比例', 'early-stage R&D credit: city share', 'percent', None, 'none'),
    ('pool.leverage_multiple', '资金池放大倍数', 'pool leverage multiple', 'multiple', D("10"), 'seen'),
    ('pool.enrolment_deadline_months', '备案期限（放款后）', 'enrolment deadline after disbursement', 'months', D("3"), 'older rules'),
    ('pool.claim_trigger_dpd', '代偿申请触发逾期天数', 'claim trigger, days past due', 'days', D("90"), 'platform default'),
    ('pool.cap_per_loan', '单笔贷款补偿上限', 'compensation cap per loan', 'yuan', None, 'none'),
    ('pool.cap_per_bank', '单家银行补偿上限', 'compensation cap per bank', 'yuan', None, 'none'),
    ('pool.cap_per_year', '年度补偿上限', 'compensation cap per year', 'yuan', None, 'none'),
    ('pool.npl_suspension_ratio', '暂停备案的不良率阈值', "NPL ratio that suspends a bank's enrolments", 'percent', None, 'none'),
    ('guarantee.fee_rate_max', '担保费率上限（年）', 'guarantee fee rate cap per year', 'percent', D("0.5"), 'pub 155号'),
    ('guarantee.premium_subsidy_rate', '担保费补贴比例（年）', 'premium subsidy per year of guaranteed amount', 'percent', D("0.5"), 'pub 155号'),
    ('guarantee.payout_compensation_share', '代偿补偿比例上限', 'payout compensation cap share of guaranteed amount', 'percent', D("20"), 'pub 155号'),
    ('guarantee.share.national_fund', '国家融资担保基金分担比例', 'risk share, national fund', 'percent', D("20"), 'seen'),
    ('guarantee.share.bank', '银行分担比例（担保）', 'risk share, bank', 'percent', D("20"), 'seen'),
    ('guarantee.share.guarantor', '担保机构分担比例', 'risk share, guarantor', 'percent', D("40"), 'seen (rest split)'),
    ('guarantee.share.reguarantor', '再担保机构分担比例', 'risk share, re-guarantor', 'percent', D("20"), 'seen (rest split)'),
    ('guarantee.leverage_max', '担保放大倍数上限', 'guarantor leverage cap over net assets', 'multiple', D("10"), 'pub 融资担保公司监督管理条例'),
    ('transfer.publicity_days_min', '协议定价公示天数下限', 'negotiated-price publicity, minimum days', 'days', D("15"), '条例 十四'),
    ('transfer.inventor_reward_share_min', '成果完成人奖励比例下限', 'inventor reward share of net income, minimum', 'percent', D("70"), '条例 三十四'),
]


def seed(Parameter, ParameterValue):
    """Create missing parameters and their values; never overwrites an existing value."""
    for key, name_zh, name_en, unit, default, source in PARAMETERS:
        param, _ = Parameter.objects.get_or_create(
            key=key, defaults=dict(name_zh=name_zh, name_en=name_en, unit=unit, source=source))
        if default is not None and not ParameterValue.objects.filter(parameter=param, scope="").exists():
            ParameterValue.objects.create(parameter=param, scope="", value=default, effective_from=EPOCH,
                                          source_note=source)


def forwards(apps, schema_editor):
    seed(apps.get_model("policy", "Parameter"), apps.get_model("policy", "ParameterValue"))


class Migration(migrations.Migration):
    dependencies = [("policy", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
