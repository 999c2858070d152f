"""Demo data for the portal: the demo startups' profiles, talent teams, shareholders, IP portfolios (valid
numbers, check digits computed) and documents (a tiny valid PDF made here), and one self-registered
enterprise that a department has not verified yet, with its user. Idempotent (a startup with a profile is
skipped).

Everything goes through the services, as a person would.
"""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from finance.calc.identifiers import patent_check_char


def tiny_pdf(title: str = "Kejin") -> bytes:
    """A one-page, valid PDF 1.4 (correct cross-reference offsets) whose document title is ``title``."""
    title_hex = ("FEFF" + title.encode("utf-16-be").hex()).upper()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        None,  # the content stream, below
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        f"<< /Title <{title_hex}> /Producer (Kejin demo) >>".encode("ascii"),
    ]
    stream = b"BT /F1 18 Tf 72 760 Td (Kejin demo document) Tj ET"
    objects[3] = b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream"
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info 6 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def patent_number(year: int, kind_digit: str, serial: int) -> str:
    """A CNIPA number with its check digit (kind digit 1 invention, 2 utility model, 3 design)."""
    digits = f"{year}{kind_digit}{serial:07d}"
    return f"{digits}.{patent_check_char(digits)}"


def demo_pdf(name: str, title: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, tiny_pdf(title), content_type="application/pdf")


#: (founding date, capital, industry, headcount, R&D staff, revenue, R&D spend) of the seeded startups.
_FACTS = [
    ("2019-06-18", "10000000.00", "electronic_information", 86, 41, "32500000.00", "6800000.00"),
    ("2020-03-02", "8000000.00", "biomedicine", 54, 30, "12800000.00", "4100000.00"),
    ("2018-11-20", "15000000.00", "new_materials", 120, 36, "56000000.00", "5200000.00"),
]
_TEAMS = [
    [
        ("王海峰", "创始人、首席科学家", "taishan", True),
        ("李静", "芯片设计总监", "national", False),
        ("赵明", "工艺工程师", "none", False),
    ],
    [("陈晓", "创始人、研发负责人", "national", True), ("刘洋", "临床研究主管", "provincial", False)],
    [("孙立", "创始人", "city", True), ("周宁", "材料研究员", "none", False)],
]
# Shareholders: (name, kind, id number or None for a demo credit code, shares, stake %).
_PERSON_IDS = ["11010519491231002X", "110101199003070011", "370102198506152318"]
#: The self-registered enterprise that no department has confirmed yet (it logs in as ``newstartup``).
NEW_STARTUP = {
    "uscc_serial": 801,
    "name": "济南初芯智能科技有限公司",
    "legal_representative": "马骁",
    "contact_name": "马骁",
    "mobile": "13800138001",
    "email": "founder@chuxin.example.cn",
    "username": "newstartup",
}


def _founder(world, index: int, org):
    """The startup's applicant: the base seed's ``startup`` for the first, a founder account for others."""
    from finance.parties.models import Role, User
    from finance.parties.services import user_create

    if index == 0:
        return world.users["startup"]
    username = f"startup{index + 1}"
    user = User.objects.filter(username=username).first()
    if user is None:
        from finance.web.management.commands.seed_demo import DEMO_PASSWORD

        user, _ = user_create(
            organisation=org, username=username, roles=[Role.APPLICANT], password=DEMO_PASSWORD
        )
        user.display_name = f"{org.name[:6]}创始人"
        user.save(update_fields=["display_name"])
    world.users[username] = user
    return user


def _startup(world, index: int, org, reviewer) -> None:
    from finance.core.inputs import today
    from finance.parties.services import enterprise_verify

    from . import services
    from .models import EnterpriseProfile

    user = _founder(world, index, org)
    if EnterpriseProfile.objects.filter(organisation=org).exists():
        return
    founded, capital, industry, headcount, rd_staff, revenue, rd_spend = _FACTS[index]
    year = today().year
    services.profile_save(
        organisation=org,
        by=user,
        data={
            "founded_on": founded,
            "registered_capital": capital,
            "address": f"{org.region}市高新区科创路 {index + 8} 号",
            "industry": industry,
            "headcount": headcount,
            "rd_staff": rd_staff,
            "revenue_last_year": revenue,
            "rd_spend_last_year": rd_spend,
            "tech_sme_number": f"{year}37010{index + 1:07d}",
            "tech_sme_year": year,
            "hnte_certificate_number": f"GR{year - 1}3700{index + 1:04d}",
            "hnte_expires_on": f"{year + 2}-12-01",
        },
    )
    for name, role, programme, lead in _TEAMS[index]:
        services.talent_member_add(
            organisation=org, by=user, name=name, role=role, programme=programme, leads_team=lead
        )
    founder_name = _TEAMS[index][0][0]
    services.shareholder_add(
        organisation=org,
        by=user,
        name=founder_name,
        kind="person",
        id_number=_PERSON_IDS[index],
        shares=6_000_000,
        stake_percent="60",
    )
    services.shareholder_add(
        organisation=org,
        by=user,
        name=world.university.name,
        kind="organisation",
        id_number=world.university.uscc,
        shares=2_000_000,
        stake_percent="20",
    )
    for serial, (kind, digit) in enumerate(
        (("invention", "1"), ("invention", "1"), ("utility_model", "2"), ("design", "3"))
    ):
        services.ip_right_add(
            organisation=org,
            by=user,
            kind=kind,
            number=patent_number(2020 + serial % 3, digit, 500 + index * 10 + serial),
            title=f"{org.name[2:6]}相关{'方法' if digit == '1' else '装置'}{serial + 1}",
            granted_on=f"{2021 + serial % 3}-0{serial + 3}-15",
            expires_on=f"{2041 + serial % 3}-0{serial + 3}-14",
        )
    services.ip_right_add(
        organisation=org,
        by=user,
        kind="trademark",
        number=f"{61234500 + index}",
        nice_class=9 if index != 1 else 5,
        title=org.name[2:4],
        granted_on="2022-08-07",
        expires_on="2032-08-06",
    )
    services.ip_right_add(
        organisation=org,
        by=user,
        kind="software_copyright",
        number=f"2023SR{1234500 + index:07d}",
        title=f"{org.name[2:6]}管理软件 V1.0",
        granted_on="2023-04-11",
    )
    for kind, name in (
        ("business_licence", "营业执照（副本）.pdf"),
        ("financial_statements", "2024 年度财务报表.pdf"),
        ("business_plan", "商业计划书.pdf"),
    ):
        services.document_upload(
            organisation=org, kind=kind, upload=demo_pdf(name, f"{org.name} {name}"), by=user
        )
    if not org.is_verified:
        enterprise_verify(organisation=org, by=reviewer, note="已核对营业执照（演示数据）")


def _new_startup(world) -> None:
    """A self-registered enterprise that has uploaded its licence and waits in the verification queue."""
    from finance.parties.demo_codes import demo_uscc
    from finance.parties.models import User
    from finance.parties.services import enterprise_register
    from finance.web.management.commands.seed_demo import DEMO_PASSWORD

    from . import services

    user = User.objects.filter(username=NEW_STARTUP["username"]).first()
    if user is None:
        data = {k: v for k, v in NEW_STARTUP.items() if k != "uscc_serial"}
        user = enterprise_register(
            uscc=demo_uscc("enterprise", NEW_STARTUP["uscc_serial"]), password=DEMO_PASSWORD, **data
        )
        services.document_upload(
            organisation=user.organisation,
            kind="business_licence",
            by=user,
            upload=demo_pdf("营业执照.pdf", NEW_STARTUP["name"]),
        )
    world.users[NEW_STARTUP["username"]] = user


def seed(world) -> None:
    """Profiles, teams, shareholders, IP portfolios and documents for the first three demo startups (each
    confirmed by the province's reviewer), and one unverified self-registered enterprise."""
    reviewer = world.users["reviewer"]
    for index, org in enumerate(world.startups[: len(_FACTS)]):
        _startup(world, index, org, reviewer)
    _new_startup(world)
