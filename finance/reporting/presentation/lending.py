"""Tables of the lending side: IP-pledge loans, the risk compensation pools and the guarantees."""

from __future__ import annotations

from .formats import table
from .labels import BUCKET_LABELS, CLAIM_LABELS, CLASS_LABELS, IP_LABELS


def loans_tables(s: dict) -> list[dict]:
    cols = [
        ("银行", "text"),
        ("在贷笔数", "count"),
        ("贷款余额", "yuan"),
        ("本季放款笔数", "count"),
        ("本季放款金额", "yuan"),
        ("本季收回本金", "yuan"),
        ("本季利息收入", "yuan"),
        ("不良余额", "yuan"),
        ("不良率", "ratio"),
        ("本季批准贴息笔数", "count"),
        ("本季批准贴息", "yuan"),
        ("本季支付贴息", "yuan"),
    ]

    def row(name, x):
        return [
            name,
            x["loans_outstanding"],
            x["principal_outstanding"],
            x["disbursed_count"],
            x["disbursed_amount"],
            x["principal_repaid"],
            x["interest_received"],
            x["npl_outstanding"],
            x["npl_ratio"],
            x["subsidies"]["approved_count"],
            x["subsidies"]["approved_amount"],
            x["subsidies"]["paid_amount"],
        ]

    t = s["total"]
    out = [
        table("贷款（按银行）", cols, [row(b["bank"], b) for b in s["banks"]] + [row("合计", t)], total=True)
    ]
    for key, title, labels in (
        ("by_class", "五级分类", CLASS_LABELS),
        ("dpd_buckets", "逾期天数分布", BUCKET_LABELS),
        ("by_ip_kind", "按质押知识产权类型（主质押物）", IP_LABELS),
        ("by_category", "按贷款类别", {"ip_pledge": "知识产权质押贷款", "rd_credit": "早期研发信用贷款"}),
    ):
        out.append(
            table(
                title,
                [("类别", "text"), ("笔数", "count"), ("余额", "yuan")],
                [[labels.get(k, k), v["count"], v["outstanding"]] for k, v in t[key].items()],
            )
        )
    return out


def pool_tables(s: dict) -> list[dict]:
    money = "available" in s["total"]
    cols = [("资金池", "text"), ("地区", "text")]
    if money:
        cols += [
            ("累计出资", "yuan"),
            ("累计撤资", "yuan"),
            ("可用余额", "yuan"),
            ("预留金额", "yuan"),
            ("资金余额", "yuan"),
            ("累计补偿", "yuan"),
            ("本季补偿", "yuan"),
            ("累计回收", "yuan"),
            ("本季回收", "yuan"),
        ]
    cols += [("风险敞口", "yuan")] + ([("敞口/可用余额", "multiple")] if money else [])

    def row(name, region, x):
        r = [name, region]
        if money:
            r += [
                x["funded"],
                x["withdrawn"],
                x["available"],
                x["reserved"],
                x["cash"],
                x["paid"]["cumulative"],
                x["paid"]["quarter"],
                x["recovered"]["cumulative"],
                x["recovered"]["quarter"],
            ]
        return r + [x["exposure"]] + ([x["leverage_used"]] if money else [])

    t = s["total"]
    return [
        table(
            "资金池",
            cols,
            [row(p["pool"], p["region"], p) for p in s["pools"]] + [row("合计", "", t)],
            total=True,
        ),
        table(
            "补偿申请（按截至日状态）",
            [("状态", "text"), ("笔数", "count"), ("申报本金损失", "yuan"), ("政府补偿金额", "yuan")],
            [
                [CLAIM_LABELS.get(k, k), v["count"], v["claimed_loss"], v["government_amount"]]
                for k, v in t["claims"].items()
            ],
        ),
        table(
            "各银行不良（备案贷款）",
            [
                ("银行", "text"),
                ("在保余额", "yuan"),
                ("不良余额", "yuan"),
                ("已补偿损失", "yuan"),
                ("不良率", "ratio"),
            ],
            [
                [b["bank"], b["outstanding"], b["npl_outstanding"], b["compensated"], b["npl_ratio"]]
                for b in t["npl_by_bank"]
            ],
        ),
    ]


def guarantees_tables(s: dict) -> list[dict]:
    cols = [
        ("担保机构", "text"),
        ("在保笔数", "count"),
        ("在保金额", "yuan"),
        ("本季代偿笔数", "count"),
        ("本季代偿金额", "yuan"),
        ("本季代偿补偿", "yuan"),
        ("本季追偿回收", "yuan"),
        ("本季保费补贴", "yuan"),
    ]

    def row(name, x):
        return [
            name,
            x["in_force_count"],
            x["in_force_amount"],
            x["payouts_count"],
            x["payouts_amount"],
            x["compensation"],
            x["recovered"],
            x["premium_subsidy"],
        ]

    return [
        table(
            "担保（按担保机构）",
            cols,
            [row(g["guarantor"], g) for g in s["guarantors"]] + [row("合计", s["total"])],
            total=True,
        )
    ]
