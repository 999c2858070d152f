"""Demo data for the application flow: the demo startup (verified, its documents uploaded) with one
application in each state — a draft, submitted, under review, waiting for information, recommended and
approved by the programme's checker (the decision shows on its timeline), not recommended, withdrawn — and a
financing need a partner bank has answered. Idempotent (skipped when the startup already has applications).

Everything goes through the services, as people would; runs after the funds demo (the direct programme and its
policy values) and the portal demo (profiles and documents).
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

from django.core.files.uploadedfile import SimpleUploadedFile

from finance.core.inputs import today
from finance.parties.models import Role

from . import services
from .models import Application
from .rules import DOCUMENTS

SCORES_GOOD = {"review.weight.innovation": "85", "review.weight.team": "80", "review.weight.market": "75",
               "review.weight.ip": "90", "review.weight.finance": "70"}


def _ensure_documents(org, by) -> None:
    from finance.portal.demo import tiny_pdf
    from finance.portal.selectors import documents_of
    from finance.portal.services import document_upload

    names = {"business_licence": "营业执照.pdf", "business_plan": "商业计划书.pdf",
             "ip_certificate": "专利证书.pdf", "financial_statements": "财务报表.pdf"}
    needed = sorted({k for kinds in DOCUMENTS.values() for k in kinds})
    have = set(documents_of(org).values_list("kind", flat=True))
    for kind in needed:
        if kind not in have:
            name = names.get(kind, "材料.pdf")
            document_upload(organisation=org, kind=kind, by=by,
                            upload=SimpleUploadedFile(name, tiny_pdf(name), content_type="application/pdf"))


def _ensure_verified(org, reviewer) -> None:
    from finance.parties.services import enterprise_verify

    if not org.is_verified:
        enterprise_verify(organisation=org, by=reviewer, note="演示：已核对营业执照")
        org.refresh_from_db()


def seed(world) -> None:
    from funds.direct.demo import PROGRAMME
    from funds.direct.models import Programme

    if not world.startups or "startup" not in world.users:
        return
    startup, founder = world.startups[0], world.users["startup"]
    if Application.objects.filter(enterprise=startup).exists():
        return
    programme = Programme.objects.filter(name=PROGRAMME).first()
    reviewer, manager = world.users["reviewer"], world.users["manager"]
    if not founder.email:
        founder.email = "founder@demo.kejin.cn"
        founder.save(update_fields=["email"])
    _ensure_verified(startup, reviewer)
    _ensure_documents(startup, founder)
    founded = (today() - dt.timedelta(days=3 * 365)).isoformat()

    def talent(title, amount):
        return services.application_create(
            enterprise=startup, instrument="talent_equity", by=founder,
            data={"title": title, "programme": str(programme.pk), "amount": amount, "price_per_share": "1.50",
                  "founded_on": founded, "own_ip_count": "3", "founders_cash": "800000.00",
                  "talent_team_leads": "1", "registered_in_shandong": "1"})

    def submitted(app):
        return services.application_submit(application=app, by=founder)

    def reviewed(app, by):
        services.application_assign(application=app, reviewer=by, by=by)
        services.conflict_declare(application=app, by=by, conflicted=False)
        app.refresh_from_db()
        return app

    # a draft, kept as the founder left it
    talent("量子传感器二期（草稿）", "300000.00")
    from funds.direct.caps import cap_state

    if programme is not None and cap_state(startup.pk, on=today()).headroom >= D("400000.00"):
        # submitted, waiting for a reviewer
        submitted(talent("量子精密测量仪器产业化", "200000.00"))
        # under review: assigned, conflict declared, being scored
        app = reviewed(submitted(talent("量子惯性导航原型", "100000.00")), manager)
        services.score_record(application=app, by=manager, scores=SCORES_GOOD)
        # under review, information requested from the startup
        app = reviewed(submitted(talent("量子通信模组中试", "250000.00")), manager)
        services.rfi_request(application=app, by=manager, body="请补充近两年的财务报表和核心专利的证书。")
        # not recommended
        app = reviewed(submitted(talent("量子计算教育套件", "150000.00")), manager)
        services.application_reject(application=app, by=manager, reason="与专项支持方向不符")
        # recommended to the programme's approval, and approved by its checker
        app = reviewed(submitted(talent("量子传感芯片人才团队项目", "300000.00")), manager)
        services.score_record(application=app, by=manager, scores=SCORES_GOOD)
        services.application_recommend(application=app, by=manager, reason="团队与知识产权突出，推荐上会")
        checker = world.users.get("direct_checker")
        app.refresh_from_db()
        if checker is not None and app.talent is not None:
            from funds.direct.services import talent_equity_decide

            talent_equity_decide(talent=app.talent, by=checker, approve=True, comment="同意")
    # withdrawn by the founder
    app = services.application_create(enterprise=startup, instrument="financing_need", by=founder,
                                      data={"title": "设备采购短期融资（已撤回）", "amount": "500000.00",
                                            "term_months": "12", "ip_offered": "实用新型专利一件"})
    services.application_withdraw(application=app, by=founder, reason="已通过自有资金解决")
    # a financing need the partner banks see, one of them has answered
    need = submitted(services.application_create(
        enterprise=startup, instrument="financing_need", by=founder,
        data={"title": "知识产权质押融资 300 万元", "amount": "3000000.00", "term_months": "24",
              "ip_offered": "发明专利 ZL202110123456.X（量子传感方法）", "purpose": "扩大中试线产能"}))
    bank_officer = next((u for u in world.users.values() if u.has_role(Role.BANK_OFFICER)), None)
    if bank_officer is not None:
        services.bank_answer(application=need, by=bank_officer,
                             body="我行可提供 300 万元知识产权质押贷款，期限 24 个月，欢迎联系客户经理。")
