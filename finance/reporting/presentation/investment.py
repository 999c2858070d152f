"""Tables of the investment side: the guidance fund's sub-funds (with their LPs' capital accounts and
compliance) and the direct instruments (先投后股, 人才创业股权, 拨投贷)."""

from __future__ import annotations

from decimal import Decimal

from .formats import table
from .labels import COMPLIANCE_LABELS, DIRECT_STATE_LABELS, INSTRUMENT_LABELS, LP_KIND_LABELS, WAY_LABELS


def funds_tables(s: dict) -> list[dict]:
    cols = [
        ("基金", "text"),
        ("认缴", "yuan"),
        ("实缴", "yuan"),
        ("未缴", "yuan"),
        ("累计分配", "yuan"),
        ("净值", "yuan"),
        ("DPI", "multiple"),
        ("RVPI", "multiple"),
        ("TVPI", "multiple"),
        ("净 IRR", "ratio"),
        ("KS-PME", "multiple"),
    ]

    def row(name, x):
        return [
            name,
            x["committed"],
            x["paid_in"],
            x["unfunded"],
            x["distributed"],
            x["nav"],
            x["dpi"],
            x["rvpi"],
            x["tvpi"],
            x["net_irr"],
            x["ks_pme"],
        ]

    out = [
        table(
            "子基金",
            cols,
            [row(f["sub_fund"], f) for f in s["sub_funds"]] + [row("合计", s["total"])],
            total=True,
        )
    ]
    if s.get("guidance"):
        out.append(table("引导基金（穿透）", cols, [row(g["guidance_fund"], g) for g in s["guidance"]]))
    out.append(
        table(
            "合规情况",
            [
                ("子基金", "text"),
                ("净值日期", "date"),
                ("省内返投", "text"),
                ("投向转化企业", "text"),
                ("单项投资", "text"),
                ("省内投资", "yuan"),
                ("返投要求", "yuan"),
                ("投向转化金额", "yuan"),
                ("投向要求", "yuan"),
                ("最大单项", "yuan"),
                ("单项上限", "yuan"),
            ],
            [
                [f["sub_fund"], f["nav_date"]]
                + [
                    COMPLIANCE_LABELS.get(f["compliance"].get(k), "—")
                    for k in ("reinvestment", "conversion_use", "single_deal")
                ]
                + [
                    f["compliance"].get(k)
                    for k in (
                        "in_province",
                        "reinvest_required",
                        "conversion",
                        "use_required",
                        "largest",
                        "single_cap",
                    )
                ]
                for f in s["sub_funds"]
            ],
        )
    )
    ca_cols = [
        ("出资人", "text"),
        ("类型", "text"),
        ("期初余额", "yuan"),
        ("本季出资", "yuan"),
        ("本季分配", "yuan"),
        ("管理费", "yuan"),
        ("收益（损失）", "yuan"),
        ("期末余额", "yuan"),
    ]
    for f in s["sub_funds"]:
        ca = f["capital_accounts"]
        rows = [
            [
                ln["lp"],
                LP_KIND_LABELS.get(ln["lp_kind"], ln["lp_kind"]),
                ln["beginning"],
                ln["contributions"],
                ln["distributions"],
                ln["fees"],
                ln["gains"],
                ln["ending"],
            ]
            for ln in ca["lines"]
        ]
        t = ca["total"]
        rows.append(
            [
                "合计",
                "",
                t["beginning"],
                t["contributions"],
                t["distributions"],
                t["fees"],
                t["gains"],
                t["ending"],
            ]
        )
        out.append(table(f"出资人资本账户 · {f['sub_fund']}", ca_cols, rows, total=True))
    return out


def direct_tables(s: dict) -> list[dict]:
    cols = [
        ("专项", "text"),
        ("项目数", "count"),
        ("承诺金额", "yuan"),
        ("持有股权笔数", "count"),
        ("持有股权成本", "yuan"),
        ("本季转股笔数", "count"),
        ("本季转股金额", "yuan"),
        ("本季关闭笔数", "count"),
        ("本季关闭金额", "yuan"),
        ("本季退出笔数", "count"),
        ("本季退出收回", "yuan"),
        ("人才股权上限已用", "yuan"),
    ]

    def row(name, x):
        p = x["positions"]
        return [
            name,
            x["count"],
            x["amount"],
            p["held_count"],
            p["held_cost"],
            x["conversions"]["count"],
            x["conversions"]["amount"],
            x["closures"]["count"],
            x["closures"]["amount"],
            p["exited_in_quarter"],
            p["proceeds_in_quarter"],
            x["talent_cap_used"],
        ]

    t = s["total"]
    out = [
        table(
            "直接投资工具（按专项）",
            cols,
            [row(p["programme"], p) for p in s["programmes"]] + [row("合计", t)],
            total=True,
        )
    ]
    ps = [*s["programmes"], {"programme": "合计", **t}]
    a_cols = [("专项", "text"), ("笔数", "count"), ("协议金额", "yuan"), ("已拨付项目资金", "yuan")]
    out.append(
        table(
            "先投后股（截至季末）",
            a_cols,
            [
                [
                    p["programme"],
                    p["invest_first"]["count"],
                    p["invest_first"]["amount"],
                    p["invest_first"]["disbursed"],
                ]
                for p in ps
            ],
            total=True,
        )
    )
    t_cols = [("专项", "text"), ("笔数", "count"), ("投资金额", "yuan"), ("已出资", "yuan")]
    out.append(
        table(
            "人才创业股权（截至季末）",
            t_cols,
            [
                [
                    p["programme"],
                    p["talent_equity"]["count"],
                    p["talent_equity"]["amount"],
                    p["talent_equity"]["invested"],
                ]
                for p in ps
            ],
            total=True,
        )
    )
    g_cols = [
        ("专项", "text"),
        ("笔数", "count"),
        ("拨款", "yuan"),
        ("已拨付拨款", "yuan"),
        ("股权", "yuan"),
        ("已出资股权", "yuan"),
        ("关联银行贷款", "count"),
    ]
    out.append(
        table(
            "拨投贷（截至季末）",
            g_cols,
            [
                [
                    p["programme"],
                    g["count"],
                    g["grant"],
                    g["grant_paid"],
                    g["equity"],
                    g["equity_invested"],
                    g["loans_linked"],
                ]
                for p in ps
                for g in [p["grant_invest_loan"]]
            ],
            total=True,
        )
    )
    rows = []
    for key, labels in DIRECT_STATE_LABELS.items():
        for state, v in t[key]["by_state"].items():
            if v["count"]:
                money = v.get("amount", v.get("grant"))
                if key == "grant_invest_loan":
                    money = str(Decimal(v["grant"]) + Decimal(v["equity"]))
                rows.append([INSTRUMENT_LABELS[key], labels.get(state, state), v["count"], money])
    out.append(
        table(
            "按截至季末状态",
            [("工具", "text"), ("状态", "text"), ("笔数", "count"), ("金额", "yuan")],
            rows or [["—", "无", 0, "0.00"]],
        )
    )
    out.append(
        table(
            "本季关闭（先投后股）",
            [("关闭方式", "text"), ("笔数", "count"), ("金额", "yuan")],
            [[WAY_LABELS.get(k, k), v["count"], v["amount"]] for k, v in t["closures"]["by_way"].items()],
        )
    )
    cap = t["talent_cap"]
    out.append(
        table(
            "人才创业股权投资支持上限（每户）",
            [
                ("每户上限", "yuan"),
                ("计入企业数", "count"),
                ("已用合计", "yuan"),
                ("其中子基金投资", "yuan"),
                ("剩余额度合计", "yuan"),
                ("达到上限企业数", "count"),
                ("单户最高已用", "yuan"),
                ("单户最高占上限", "ratio"),
            ],
            [
                [
                    cap["cap"],
                    cap["enterprises"],
                    cap["used"],
                    cap["deals"],
                    cap["headroom"],
                    cap["at_cap"],
                    cap["largest_used"],
                    cap["largest_used_ratio"],
                ]
            ],
        )
    )
    return out
