"""A report's content as labelled tables (Chinese), shared by the page, the PDF and the XLSX.

Each table: ``{"title", "columns": [(label, kind)], "rows": [[value, ...]], "total": bool}`` where ``kind`` is
``yuan`` (decimal string, yuan to the fen), ``count``, ``ratio`` (a fraction shown as a percentage),
``multiple`` (DPI/TVPI, shown with four places), ``text`` or ``date``. The last row of a table with ``total``
is its total.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

CLASS_LABELS = {
    "normal": "正常",
    "special_mention": "关注",
    "substandard": "次级",
    "doubtful": "可疑",
    "loss": "损失",
}
BUCKET_LABELS = {
    "0": "未逾期",
    "1-30": "1–30 天",
    "31-90": "31–90 天",
    "91-180": "91–180 天",
    "181-360": "181–360 天",
    ">360": "360 天以上",
}
IP_LABELS = {
    "invention_patent": "发明专利",
    "utility_model": "实用新型",
    "trademark": "商标",
    "copyright": "著作权",
    "none": "无质押",
}
CLAIM_LABELS = {
    "submitted": "审核中",
    "approved": "已批准（资金已预留）",
    "paid": "已支付",
    "rejected": "已驳回",
}
COMPLIANCE_LABELS = {"ok": "合规", "near": "预警", "breach": "未达标"}
LP_KIND_LABELS = {
    "guidance": "引导基金",
    "provincial": "其他省级财政资金",
    "city": "市县财政资金",
    "social": "社会资本",
}
SECTION_TITLES = {
    "loans": "知识产权质押贷款",
    "pool": "风险补偿资金池（鲁科贷）",
    "guarantees": "融资担保（鲁科担）",
    "funds": "成果转化引导基金及子基金",
    "direct": "直接投资工具",
    "changes": "环比变动",
}
ARROWS = {"up": "▲", "down": "▼", "flat": "▬", None: ""}


def _table(title, columns, rows, total=False):
    return {"title": title, "columns": columns, "rows": rows, "total": total}


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
        _table("贷款（按银行）", cols, [row(b["bank"], b) for b in s["banks"]] + [row("合计", t)], total=True)
    ]
    for key, title, labels in (
        ("by_class", "五级分类", CLASS_LABELS),
        ("dpd_buckets", "逾期天数分布", BUCKET_LABELS),
        ("by_ip_kind", "按质押知识产权类型（主质押物）", IP_LABELS),
        ("by_category", "按贷款类别", {"ip_pledge": "知识产权质押贷款", "rd_credit": "早期研发信用贷款"}),
    ):
        out.append(
            _table(
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
        _table(
            "资金池",
            cols,
            [row(p["pool"], p["region"], p) for p in s["pools"]] + [row("合计", "", t)],
            total=True,
        ),
        _table(
            "补偿申请（按截至日状态）",
            [("状态", "text"), ("笔数", "count"), ("申报本金损失", "yuan"), ("政府补偿金额", "yuan")],
            [
                [CLAIM_LABELS.get(k, k), v["count"], v["claimed_loss"], v["government_amount"]]
                for k, v in t["claims"].items()
            ],
        ),
        _table(
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
        _table(
            "担保（按担保机构）",
            cols,
            [row(g["guarantor"], g) for g in s["guarantors"]] + [row("合计", s["total"])],
            total=True,
        )
    ]


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
        _table(
            "子基金",
            cols,
            [row(f["sub_fund"], f) for f in s["sub_funds"]] + [row("合计", s["total"])],
            total=True,
        )
    ]
    if s.get("guidance"):
        out.append(_table("引导基金（穿透）", cols, [row(g["guidance_fund"], g) for g in s["guidance"]]))
    out.append(
        _table(
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
        out.append(_table(f"出资人资本账户 · {f['sub_fund']}", ca_cols, rows, total=True))
    return out


INSTRUMENT_LABELS = {
    "invest_first": "先投后股",
    "talent_equity": "人才创业股权",
    "grant_invest_loan": "拨投贷",
}
DIRECT_STATE_LABELS = {
    "invest_first": {
        "applied": "申请中",
        "submitted": "待审批",
        "approved": "已批准",
        "rejected": "已驳回",
        "contracted": "已签约",
        "disbursed": "已拨付项目资金",
        "converting": "转股待决定",
        "converted": "已转股",
        "overdue": "转股逾期",
        "closing": "关闭待决定",
        "closed_grant": "已关闭（转为项目资助）",
        "closed_repaid": "已关闭（企业补偿）",
        "closed_swapped": "已关闭（转入其他项目）",
        "exited": "已退出",
    },
    "talent_equity": {
        "applied": "申请中",
        "submitted": "待审批",
        "approved": "已批准",
        "rejected": "已驳回",
        "contracted": "已签约",
        "funded": "已出资",
        "exited": "已退出",
    },
    "grant_invest_loan": {
        "applied": "申请中",
        "reviewed": "已初审",
        "committee": "上会审议",
        "approved": "已批准",
        "rejected": "已驳回",
        "contracted": "已签约",
        "disbursed": "已拨付",
        "monitoring": "投后监测",
        "exited": "已退出",
        "closed": "已结项",
    },
}
WAY_LABELS = {"grant": "转为项目资助", "repaid": "企业补偿", "swapped": "转入其他项目"}


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
        _table(
            "直接投资工具（按专项）",
            cols,
            [row(p["programme"], p) for p in s["programmes"]] + [row("合计", t)],
            total=True,
        )
    ]
    ps = [*s["programmes"], {"programme": "合计", **t}]
    a_cols = [("专项", "text"), ("笔数", "count"), ("协议金额", "yuan"), ("已拨付项目资金", "yuan")]
    out.append(
        _table(
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
        _table(
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
        _table(
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
        _table(
            "按截至季末状态",
            [("工具", "text"), ("状态", "text"), ("笔数", "count"), ("金额", "yuan")],
            rows or [["—", "无", 0, "0.00"]],
        )
    )
    out.append(
        _table(
            "本季关闭（先投后股）",
            [("关闭方式", "text"), ("笔数", "count"), ("金额", "yuan")],
            [[WAY_LABELS.get(k, k), v["count"], v["amount"]] for k, v in t["closures"]["by_way"].items()],
        )
    )
    cap = t["talent_cap"]
    out.append(
        _table(
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


def changes_tables(s: dict) -> list[dict]:
    rows = []
    for f in s["figures"]:
        kind = {"yuan": "yuan", "count": "count", "ratio": "ratio"}[f["unit"]]
        if f["key"] == "funds.tvpi":
            kind = "multiple"
        rows.append(
            [
                f["label"],
                (kind, f["current"]),
                (kind, f["previous"]),
                (kind, f["delta"]),
                ARROWS[f["direction"]],
            ]
        )
    title = f"与上季度（{s['previous_quarter']}" + (
        f" 第 {s['previous_version']} 版）比较" if s["previous_version"] else "，无已发布报告）比较"
    )
    return [
        _table(
            title,
            [("指标", "text"), ("本季", "mixed"), ("上季", "mixed"), ("变动", "mixed"), ("", "text")],
            rows,
        )
    ]


BUILDERS = {
    "loans": loans_tables,
    "pool": pool_tables,
    "guarantees": guarantees_tables,
    "funds": funds_tables,
    "direct": direct_tables,
    "changes": changes_tables,
}


def section_tables(content: dict) -> list[dict]:
    """[{key, title, tables}] for the sections the report covers, in order."""
    out = []
    for key, build in BUILDERS.items():
        s = content["sections"].get(key)
        if s is not None:
            out.append({"key": key, "title": SECTION_TITLES[key], "tables": build(s)})
    return out


# ---------------------------------------------------------------- formatting for people


def fmt(value, kind: str) -> str:
    """Thousands separators, two places for money, percentages for ratios; "—" for no value."""
    if isinstance(value, tuple):
        kind, value = value
    if value is None or value == "":
        return "—"
    try:
        if kind == "yuan":
            return f"{Decimal(str(value)):,.2f}"
        if kind == "count":
            return f"{int(value):,}"
        if kind == "ratio":
            return f"{Decimal(str(value)) * 100:,.2f}%"
        if kind == "multiple":
            return f"{Decimal(str(value)):,.4f}"
    except (InvalidOperation, ValueError):
        return str(value)
    return str(value)


def headline_cards(content: dict) -> list[dict]:
    """The headline figures with their quarter-on-quarter arrows (the ``changes`` section)."""
    ch = (content["sections"].get("changes") or {}).get("figures", [])
    cards = []
    for f in ch:
        kind = "multiple" if f["key"] == "funds.tvpi" else f["unit"]
        cards.append(
            {
                "label": f["label"],
                "value": fmt(f["current"], kind),
                "delta": fmt(f["delta"], kind) if f["delta"] is not None else "",
                "arrow": ARROWS[f["direction"]],
                "direction": f["direction"],
            }
        )
    return cards
