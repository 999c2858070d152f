"""The committee memo reads like a memo; the nightly task moves overdue agreements."""
import datetime as dt

from funds.direct import services
from funds.direct.memo import deal_memo, instrument_memo
from funds.direct.tasks import invest_first_overdue
from funds.services import deal_create


def test_a_six_million_talent_deal_memo_says_it_cannot_be_signed(fund, enterprise, manager, policy):
    deal = deal_create(sub_fund=fund, enterprise=enterprise, title="人才股权", instrument="talent_equity",
                       amount="6000000.00", by=manager, terms="三年内创始人回购")
    memo = deal_memo(deal)
    assert [s["title"] for s in memo] == ["企业", "投资方案", "合规检查", "尽职调查", "文件"]
    lines = dict(memo[2]["lines"])
    assert lines["人才股权投资支持上限"] == "¥5,000,000.00，已计入 ¥0.00，剩余额度 ¥5,000,000.00"
    assert lines["本项目计入后"].startswith("超过上限，不能签约")
    assert ("金额", "¥6,000,000.00") in memo[1]["lines"] and ("条款", "三年内创始人回购") in memo[1]["lines"]
    text = repr(memo)
    assert "enterprise" not in text and "sub_fund" not in text and "None" not in text


def test_talent_memo_lists_eligibility(programme, enterprise, founder_user):
    t = services.talent_equity_apply(programme=programme, enterprise=enterprise, title="人才", amount="1000000.00",
                                     price_per_share="1", founded_on=dt.date(2022, 1, 1), by=founder_user,
                                     talent_team_leads=True, registered_in_shandong=True, own_ip_count=1,
                                     founders_cash="500000", applied_on=dt.date(2025, 1, 10))
    memo = instrument_memo(t)
    elig = dict(next(s for s in memo if s["title"] == "资格审查")["lines"])
    assert elig["企业在山东注册"] == "符合" and len(elig) == 5


def test_nightly_task_moves_agreements_past_their_deadline(programme, enterprise, founder_user, maker, checker,
                                                          rules_before_their_sources):  # applied in 2023
    a = services.invest_first_apply(programme=programme, enterprise=enterprise, title="项目", amount="100000.00",
                                    tranches=[{"amount": "100000.00", "due_on": dt.date(2023, 3, 1)}],
                                    by=founder_user, applied_on=dt.date(2023, 1, 10))
    services.invest_first_submit(agreement=a, by=maker)
    services.invest_first_decide(agreement=a, by=checker, approve=True)
    services.invest_first_sign(agreement=a, signed_on=dt.date(2023, 2, 1), by=maker)
    assert invest_first_overdue.delay().get() == 1  # deadline 2025-02-01 < today
    a.refresh_from_db()
    assert a.status == "overdue"
    assert invest_first_overdue.delay().get() == 0
