"""The Chinese labels of the report's codes (classes, buckets, states, ways…) and of its sections.

One place for them, so the tables and the charts (``charts`` reads ``BUCKET_LABELS``) show the same words,
never a raw code.
"""

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
