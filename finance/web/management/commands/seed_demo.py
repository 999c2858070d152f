"""A realistic demo world: departments, a guidance-fund manager, banks, a guarantor, a university, startups,
users for every role. Each app then adds its own demo data through an optional ``<app>.demo.seed(world)``.

Idempotent: running it twice leaves one world. Every maker-checker path has its two people: two
administrators (policy changes), two provincial reviewers (claims, subsidies, payouts), two fund managers
(deals, capital calls).
``--port`` is the port ``make demo`` serves on (printed in the address); ``--loans-per-bank`` makes a smaller
loan book (the page tests seed a few loans per bank: the same code paths, in seconds).
"""
import importlib
import os
from dataclasses import dataclass, field

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from finance.parties.demo_codes import demo_uscc
from finance.parties.models import DeptLevel, Organisation, OrgKind, Role, RoleGrant, User

DEMO_PASSWORD = "Kejin-demo-2026"

STARTUPS = [
    ("济南量子芯科技有限公司", "济南"),
    ("青岛海洋生物医药科技有限公司", "青岛"),
    ("烟台新材料研究有限公司", "烟台"),
    ("潍坊智能农机科技有限公司", "潍坊"),
    ("淄博精细化工科技有限公司", "淄博"),
    ("威海医疗器械科技有限公司", "威海"),
    ("济宁工业软件有限公司", "济宁"),
    ("临沂光电科技有限公司", "临沂"),
    ("泰安储能材料有限公司", "泰安"),
    ("日照港航数字科技有限公司", "日照"),
    ("德州生物育种科技有限公司", "德州"),
    ("聊城氢能装备有限公司", "聊城"),
]


@dataclass
class World:
    """What the base seed created, handed to each app's demo seeder."""

    province: Organisation = None
    city: Organisation = None
    fund_manager: Organisation = None
    banks: list = field(default_factory=list)
    guarantor: Organisation = None
    university: Organisation = None
    startups: list = field(default_factory=list)
    users: dict = field(default_factory=dict)  # username -> User
    loans_per_bank: int | None = None  # None: each app's full demo size


def _org(kind, name, serial, **extra):
    code = demo_uscc(kind, serial) if kind != OrgKind.DEPARTMENT else None
    lookup = {"uscc": code} if code else {"name": name, "kind": kind}
    org, _ = Organisation.objects.get_or_create(**lookup, defaults={"kind": kind, "name": name, **extra})
    return org


def _user(world, username, org, roles, display):
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User.objects.create_user(username=username, password=DEMO_PASSWORD, organisation=org,
                                        display_name=display, is_staff=Role.ADMINISTRATOR in roles,
                                        is_superuser=Role.ADMINISTRATOR in roles)
        RoleGrant.objects.bulk_create([RoleGrant(user=user, role=r, org_kind=org.kind) for r in roles])
    world.users[username] = user
    return user


def build_world(*, loans_per_bank: int | None = None) -> World:
    w = World(loans_per_bank=loans_per_bank)
    w.province = _org(
        OrgKind.DEPARTMENT, "山东省科学技术厅", 1, dept_level=DeptLevel.PROVINCE, region="山东省"
    )
    w.city = _org(OrgKind.DEPARTMENT, "济南市科学技术局", 2, dept_level=DeptLevel.CITY, region="济南")
    w.fund_manager = _org(OrgKind.FUND_MANAGER, "山东省科技成果转化引导基金管理有限公司", 1)
    w.banks = [_org(OrgKind.BANK, name, i + 1) for i, name in enumerate(
        ["齐鲁银行科技支行", "青岛银行科创金融部", "恒丰银行济南分行"])]
    w.guarantor = _org(OrgKind.GUARANTOR, "山东省鲁科融资担保有限公司", 1)
    w.university = _org(OrgKind.UNIVERSITY, "山东大学技术转移中心", 1)
    w.startups = [_org(OrgKind.ENTERPRISE, name, i + 1, region=city, tech_sme_number=f"2025370{i + 1:05d}")
                  for i, (name, city) in enumerate(STARTUPS)]
    _user(w, "admin", w.province, [Role.ADMINISTRATOR], "平台管理员")
    _user(w, "admin2", w.province, [Role.ADMINISTRATOR], "平台复核管理员")
    _user(w, "reviewer", w.province, [Role.DEPARTMENT_REVIEWER], "省厅审核员")
    _user(w, "reviewer2", w.province, [Role.DEPARTMENT_REVIEWER], "省厅复核员")
    _user(w, "city_reviewer", w.city, [Role.DEPARTMENT_REVIEWER], "市局审核员")
    _user(w, "auditor", w.province, [Role.AUDITOR], "审计员")
    _user(w, "manager", w.fund_manager, [Role.FUND_MANAGER], "基金经理")
    _user(w, "manager2", w.fund_manager, [Role.FUND_MANAGER], "基金复核经理")
    for i in range(1, 4):
        _user(w, f"committee{i}", w.fund_manager, [Role.COMMITTEE_MEMBER], f"投委会委员{i}")
    for i, bank in enumerate(w.banks, start=1):
        _user(w, f"bank{i}", bank, [Role.BANK_OFFICER], f"{bank.name}客户经理")
    _user(w, "guarantor", w.guarantor, [Role.GUARANTOR_OFFICER], "担保业务员")
    _user(w, "startup", w.startups[0], [Role.APPLICANT], "创业者")
    _user(w, "university", w.university, [Role.APPLICANT], "技术转移专员")
    return w


class Command(BaseCommand):
    help = "Create (or complete) the demo world and print the address and a login for each role."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT") or 8000),
                            help="the port the demo is served on (printed); default $PORT or 8000")
        parser.add_argument("--loans-per-bank", type=int, default=None,
                            help="a smaller loan book (tests); default: the full demo")

    def handle(self, *args, **options):
        with transaction.atomic():
            world = build_world(loans_per_bank=options["loans_per_bank"])
            for config in apps.get_app_configs():
                try:
                    module = importlib.import_module(f"{config.name}.demo")
                except ModuleNotFoundError as exc:
                    if exc.name != f"{config.name}.demo":
                        raise
                    continue
                self.stdout.write(f"seeding {config.label} demo data ...")
                module.seed(world)
        self.stdout.write(self.style.SUCCESS(f"Demo ready at http://127.0.0.1:{options['port']}/  —  logins "
                                             f"(password {DEMO_PASSWORD}):"))
        for username, user in world.users.items():
            roles = ", ".join(sorted(user.roles()))
            self.stdout.write(f"  {username:<14} {roles:<22} {user.organisation}")
        self.stdout.write("Maker-checker pairs (the maker cannot approve their own item):")
        for what, maker, checker in MAKER_CHECKER:
            self.stdout.write(f"- {what}: {maker} → {checker}")


# Who makes and who checks on the demo world: the default approval rules (one level by the role, a second
# level by another person of the same role from the policy threshold on; finance.approvals.services._levels).
MAKER_CHECKER = [
    ("policy changes / 政策参数变更", "admin", "admin2"),
    ("claims, subsidies, payouts, premium subsidies / 代偿、贴息、补偿", "bank1, startup, guarantor",
     "reviewer, reviewer2"),
    ("deals, capital calls / 投资项目、缴款", "manager", "manager2"),
]
