"""Demo identity: an organisation administrator in a bank, the fund manager and the first startup (so people,
invitations, API keys and the second-administrator rule can be walked from their pages), and the seeded
enterprises confirmed by the province's reviewer (a self-registered, unverified one is the portal's demo).
Idempotent: users are looked up by username, verification and history are only added once."""
from __future__ import annotations

from .models import IdentityEvent, Role, User
from .services import enterprise_verify, invitation_create, member_role_grant, user_create

ADMINS = [  # username, world attribute, index (for lists), display name, email
    ("bank1_admin", "banks", 0, "齐鲁银行系统管理员", "admin@bank1.example.cn"),
    ("fund_admin", "fund_manager", None, "引导基金管理人系统管理员", "admin@fund.example.cn"),
    ("startup_admin", "startups", 0, "量子芯科管理员", "admin@qchip.example.cn"),
]


def seed(world) -> None:
    from finance.web.management.commands.seed_demo import DEMO_PASSWORD

    reviewer = world.users.get("reviewer")
    if reviewer is not None:
        for org in [*world.startups, world.university]:
            if org is not None and not org.is_verified:
                enterprise_verify(organisation=org, by=reviewer, note="演示数据：已核对营业执照")
    for username, attribute, index, display, email in ADMINS:
        org = getattr(world, attribute)
        org = org[index] if index is not None else org
        if org is None:
            continue
        user = User.objects.filter(username=username).first()
        if user is None:
            roles = [Role.ORG_ADMIN, Role.APPLICANT] if username == "startup_admin" else [Role.ORG_ADMIN]
            user, _ = user_create(organisation=org, username=username, roles=roles, password=DEMO_PASSWORD,
                                  display_name=display, email=email)
        world.users[username] = user
    _history(world)


def _history(world) -> None:
    """A little history on the people pages: the startup's administrator invited a colleague, and the fund's
    administrator asked for a committee seat for a new colleague (waiting for a second administrator)."""
    from finance.web.management.commands.seed_demo import DEMO_PASSWORD

    startup_admin, fund_admin = world.users.get("startup_admin"), world.users.get("fund_admin")
    if startup_admin is not None and not IdentityEvent.objects.filter(by=startup_admin).exists():
        invitation_create(organisation=startup_admin.organisation, email="cfo@qchip.example.cn",
                          roles=[Role.VIEWER], by=startup_admin)
    if fund_admin is not None and not IdentityEvent.objects.filter(by=fund_admin).exists():
        colleague = User.objects.filter(username="fund_analyst").first()
        if colleague is None:
            colleague, _ = user_create(organisation=fund_admin.organisation, username="fund_analyst",
                                       roles=[], password=DEMO_PASSWORD, display_name="投资分析师")
        member_role_grant(user=colleague, role=Role.COMMITTEE_MEMBER, by=fund_admin)
