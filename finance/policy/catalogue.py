"""The one list of policy parameters: key, names and unit for pages and errors, and the source it comes from.

It carries no values. The seeded values live, frozen and dated, in the policy data migrations
(0002_seed_catalogue, 0004_approval_thresholds, 0006_dated_seeds, 0007_direct_parameters): editing this list
never changes what a database holds, and a fresh database equals an upgraded one. A parameter added later is
added here (its labels) and seeded by a new data migration with its value written literally.
"""
from __future__ import annotations

import datetime as dt
import importlib
import pkgutil

# The 条例 revision (2017-12-01): the earliest date any seeded rule is read from; tests and demos that set
# values "since the beginning" use it.
POLICY_EPOCH = dt.date(2017, 12, 1)

# key, name_zh, name_en, unit, source
CATALOGUE: list[tuple[str, str, str, str, str]] = [
    # Guidance fund and sub-funds
    ("fund.guidance_share_min", "引导基金出资比例下限", "guidance share of a sub-fund, minimum", "percent",
     "seen"),
    ("fund.guidance_share_max", "引导基金出资比例上限", "guidance share of a sub-fund, maximum", "percent",
     "seen"),
    ("fund.provincial_share_max", "省级财政出资比例上限", "provincial money share, maximum", "percent",
     "pub 财教〔2021〕176号"),
    ("fund.government_share_max", "各级政府出资合计比例上限", "all government money share, maximum",
     "percent", "pub 财教〔2021〕176号"),
    ("fund.use_multiple_of_guidance_min", "投向转化企业金额不低于引导基金出资倍数",
     "conversion investments as multiple of guidance money, minimum", "multiple", "pub 176号 Art.10"),
    ("fund.use_share_of_size_min", "投向转化企业金额占基金规模下限",
     "conversion investments as share of fund size, minimum", "percent", "pub 176号 Art.10"),
    ("fund.reinvestment_ratio", "省内返投比例（引导基金出资倍数）",
     "in-province reinvestment ratio of guidance money", "multiple", "seen 1–2×"),
    ("fund.management_fee_max", "管理费年费率上限", "management fee per year, maximum", "percent", "seen"),
    ("fund.single_deal_max", "单个项目投资占子基金规模上限", "single deal share of sub-fund size, maximum",
     "percent", "seen 10–20%"),
    ("fund.early_exit_free_years", "政府出资按成本退出期限",
     "years in which the government share exits at cost", "years", "seen"),
    ("fund.early_exit_reference_rate", "提前退出参考利率", "early-exit reference interest rate", "percent",
     "none"),
    ("fund.near_breach_margin", "合规预警区间", "compliance near-breach margin", "percent",
     "platform default"),
    ("fund.profit_concession", "政府出资让利比例", "government LP profit concession", "percent", "none"),
    # Committee
    ("committee.quorum_ratio", "投委会法定人数比例", "investment committee quorum (share of members)",
     "ratio", "platform default: two thirds (votes ≥ 0.6666 × eligible)"),
    ("committee.majority_ratio", "投委会通过票数比例（严格超过）",
     "investment committee majority (strictly more than)", "ratio", "platform default"),
    # Four eyes: from these amounts an approval needs a second, different approver (platform defaults)
    ("approval.claim.second_level_from", "代偿申请双人审批起点金额", "pool claim: second approver from",
     "yuan", "platform default"),
    ("approval.subsidy.second_level_from", "贴息申请双人审批起点金额", "subsidy: second approver from",
     "yuan", "platform default"),
    ("approval.guarantee_payout.second_level_from", "代偿补偿双人审批起点金额",
     "guarantee payout compensation: second approver from", "yuan", "platform default"),
    ("approval.premium_subsidy.second_level_from", "担保费补贴双人审批起点金额",
     "premium subsidy: second approver from", "yuan", "platform default"),
    ("approval.capital_call.second_level_from", "缴款通知双人审批起点金额",
     "capital call: second approver from", "yuan", "platform default"),
    # Invest-first, equity-later and grant-invest-loan
    ("investfirst.conversion_discount", "先投后股转股折扣", "invest-first conversion discount", "percent",
     "none found; 0 = at round price"),
    ("investfirst.max_share", "先投后股持股比例上限", "invest-first shareholding cap", "percent",
     "pub Shandong 股权联动 2025"),
    ("investfirst.conversion_deadline_months", "先投后股转股期限", "invest-first conversion deadline",
     "months", "none"),
    ("investfirst.min_round_size", "先投后股转股触发的最低融资轮规模",
     "invest-first: minimum new money of a qualifying round", "yuan", "none"),
    ("grantinvestloan.grant_cap", "拨投贷拨款上限", "grant-invest-loan grant cap", "yuan", "none"),
    ("grantinvestloan.exit_return", "拨投贷股权退出合理回报率", "grant-invest-loan equity exit return",
     "percent", "none"),
    ("talent.equity_cap", "人才创业股权投资支持上限（每家企业）",
     "talent startup equity support cap per enterprise", "yuan", "pub 措施 十一"),
    ("talent.holding_years", "人才股权投资持有期", "talent equity holding period", "years", "none"),
    ("talent.eligibility.team_leads", "人才团队须主导企业（1=要求，0=不要求）",
     "talent equity: a talent team must lead the company (1 = required, 0 = not)", "count", "none"),
    ("talent.eligibility.in_shandong", "企业须在山东注册（1=要求，0=不要求）",
     "talent equity: company registered in Shandong (1 = required, 0 = not)", "count", "none"),
    ("talent.eligibility.own_ip_min", "自有知识产权最少件数", "talent equity: minimum own IP items", "count",
     "none"),
    ("talent.eligibility.company_age_max_years", "企业成立年限上限",
     "talent equity: maximum age of the company", "years", "none"),
    ("talent.eligibility.founders_cash_min", "创始团队现金出资下限",
     "talent equity: minimum founders' cash in", "yuan", "none"),
    # IP-pledge loans
    ("loan.ltv_max.invention_patent", "发明专利质押率上限", "loan-to-value cap, invention patent", "percent",
     "seen, one bank"),
    ("loan.ltv_max.utility_model", "实用新型质押率上限", "loan-to-value cap, utility model", "percent",
     "seen, one bank"),
    ("loan.ltv_max.trademark", "商标质押率上限", "loan-to-value cap, trademark", "percent", "seen, one bank"),
    ("loan.ltv_max.copyright", "著作权质押率上限", "loan-to-value cap, copyright", "percent", "none"),
    ("loan.term_max_months", "知识产权质押贷款最长期限", "IP-pledge loan maximum term", "months", "seen"),
    ("loan.rate_max", "贷款年利率上限", "loan annual rate maximum", "percent",
     "platform default (LPR×4 judicial cap ≈ 14.8%, set generously)"),
    ("loan.class.special_mention_dpd", "关注类起始逾期天数", "special mention from days past due", "days",
     "五级分类 2023"),
    ("loan.class.substandard_dpd", "次级类起始逾期天数", "substandard from days past due", "days",
     "五级分类 2023"),
    ("loan.class.doubtful_dpd", "可疑类起始逾期天数", "doubtful from days past due", "days", "五级分类 2023"),
    ("loan.class.loss_dpd", "损失类起始逾期天数", "loss from days past due", "days", "五级分类 2023"),
    ("subsidy.paid_interest_share", "贴息比例（实付利息）", "interest subsidy share of interest paid",
     "percent", "pub 鲁政办字〔2023〕155号"),
    ("subsidy.enterprise_cap", "贴息每家企业上限", "interest subsidy cap per enterprise", "yuan",
     "pub 155号"),
    ("subsidy.benchmark_share", "知识产权质押贴息比例（基准利率）",
     "IP-pledge subsidy share of benchmark rate", "percent", "earlier years"),
    ("subsidy.benchmark_rate", "贴息基准利率", "subsidy benchmark rate", "percent", "none"),
    ("subsidy.yearly_cap", "知识产权质押贴息年度上限", "IP-pledge subsidy yearly cap", "yuan",
     "earlier years"),
    ("subsidy.years_per_loan", "单笔贷款贴息年限", "subsidy years per loan", "years", "earlier years"),
    ("subsidy.times_per_firm", "每家企业贴息次数", "subsidy times per firm", "count", "earlier years"),
    ("subsidy.appraisal_fee_share", "评估费补贴比例", "appraisal-fee subsidy share", "percent",
     "earlier years"),
    ("subsidy.appraisal_fee_cap", "评估费补贴上限", "appraisal-fee subsidy cap", "yuan", "earlier years"),
    # Risk-compensation pool
    ("pool.share.province", "省级分担比例", "pool loss share, province", "percent", "pub 155号"),
    ("pool.share.city", "市级分担比例", "pool loss share, city", "percent", "pub 155号"),
    ("pool.share.bank", "银行分担比例", "pool loss share, bank", "percent", "pub 155号"),
    ("pool.rd_credit.government_share_max", "研发信用贷款政府分担上限",
     "early-stage R&D credit: government share cap", "percent", "pub"),
    ("pool.rd_credit.province_share", "研发信用贷款省级分担比例", "early-stage R&D credit: province share",
     "percent", "none"),
    ("pool.rd_credit.city_share", "研发信用贷款市级分担比例", "early-stage R&D credit: city share",
     "percent", "none"),
    ("pool.leverage_multiple", "资金池放大倍数", "pool leverage multiple", "multiple", "seen"),
    ("pool.enrolment_deadline_months", "备案期限（放款后）", "enrolment deadline after disbursement",
     "months", "older rules"),
    ("pool.claim_trigger_dpd", "代偿申请触发逾期天数", "claim trigger, days past due", "days",
     "platform default"),
    ("pool.cap_per_loan", "单笔贷款补偿上限", "compensation cap per loan", "yuan", "none"),
    ("pool.cap_per_bank", "单家银行补偿上限", "compensation cap per bank", "yuan", "none"),
    ("pool.cap_per_year", "年度补偿上限", "compensation cap per year", "yuan", "none"),
    ("pool.npl_suspension_ratio", "暂停备案的不良率阈值", "NPL ratio that suspends a bank's enrolments",
     "percent", "none"),
    # Guarantees
    ("guarantee.fee_rate_max", "担保费率上限（年）", "guarantee fee rate cap per year", "percent",
     "pub 155号"),
    ("guarantee.premium_subsidy_rate", "担保费补贴比例（年）",
     "premium subsidy per year of guaranteed amount", "percent", "pub 155号"),
    ("guarantee.payout_compensation_share", "代偿补偿比例上限",
     "payout compensation cap share of guaranteed amount", "percent", "pub 155号"),
    ("guarantee.share.national_fund", "国家融资担保基金分担比例", "risk share, national fund", "percent",
     "seen"),
    ("guarantee.share.bank", "银行分担比例（担保）", "risk share, bank", "percent", "seen"),
    ("guarantee.share.guarantor", "担保机构分担比例", "risk share, guarantor", "percent",
     "none (the rest between guarantor and re-guarantor; no published figure)"),
    ("guarantee.share.reguarantor", "再担保机构分担比例", "risk share, re-guarantor", "percent",
     "none (the rest between guarantor and re-guarantor; no published figure)"),
    ("guarantee.leverage_max", "担保放大倍数上限", "guarantor leverage cap over net assets", "multiple",
     "pub 融资担保公司监督管理条例"),
    # Tech transfer (beyond the instruments)
    ("transfer.publicity_days_min", "协议定价公示天数下限", "negotiated-price publicity, minimum days",
     "days", "条例 十四"),
    ("transfer.inventor_reward_share_min", "成果完成人奖励比例下限",
     "inventor reward share of net income, minimum", "percent", "条例 三十四"),
    # The reviewers' scoring sheet (issue 12), seeded by finance/applications/migrations/0002_review_criteria
    ("review.weight.innovation", "评审权重：技术创新性", "review weight: innovation", "percent",
     "platform default (issue 12 reviewer workbench)"),
    ("review.weight.team", "评审权重：团队能力", "review weight: team", "percent",
     "platform default (issue 12 reviewer workbench)"),
    ("review.weight.market", "评审权重：市场前景", "review weight: market prospects", "percent",
     "platform default (issue 12 reviewer workbench)"),
    ("review.weight.ip", "评审权重：知识产权质量", "review weight: quality of the IP", "percent",
     "platform default (issue 12 reviewer workbench)"),
    ("review.weight.finance", "评审权重：财务状况", "review weight: financial condition", "percent",
     "platform default (issue 12 reviewer workbench)"),
    ("review.recommend_score_min", "推荐所需加权总分下限", "minimum weighted score to recommend", "count",
     "platform default (issue 12 reviewer workbench)"),
]


POLICY_MIGRATIONS = "finance.policy.migrations"
#: Migration packages that seed policy parameters, in order: the policy app's own, then apps that seed the
#: parameters of their own decisions (named as strings: the core does not import those apps).
SEEDING_MIGRATIONS = (POLICY_MIGRATIONS, "finance.applications.migrations")


def seed(Parameter, ParameterValue) -> None:
    """Put the seeded policy back exactly as the migrations left it (tests that flush the database use it).

    Replays, in order, the ``seed`` function of every seeding migration that has one, with the given models.
    """
    for name in SEEDING_MIGRATIONS:
        package = importlib.import_module(name)
        for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
            module = importlib.import_module(f"{name}.{info.name}")
            if hasattr(module, "seed"):
                module.seed(Parameter, ParameterValue)
