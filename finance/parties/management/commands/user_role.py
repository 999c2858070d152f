from django.core.management.base import BaseCommand, CommandError

from finance.core.errors import DomainError
from finance.parties.models import User
from finance.parties.services import role_grant, role_revoke


class Command(BaseCommand):
    help = (
        "Grant or revoke a role of an existing user (the admin only shows roles). The role must fit the kind "
        "of the user's organisation."
    )

    def add_arguments(self, parser):
        parser.add_argument("--username", required=True)
        action = parser.add_mutually_exclusive_group(required=True)
        action.add_argument("--grant", metavar="ROLE")
        action.add_argument("--revoke", metavar="ROLE")

    def handle(self, *args, **o):
        user = User.objects.select_related("organisation").filter(username=o["username"]).first()
        if user is None:
            raise CommandError(f"找不到用户 {o['username']} / no user {o['username']}")
        try:
            if o["grant"]:
                role_grant(user=user, role=o["grant"])
            elif not role_revoke(user=user, role=o["revoke"]):
                raise CommandError(f"{user.username} 没有角色 {o['revoke']} / does not hold {o['revoke']}")
        except DomainError as exc:
            raise CommandError(exc.detail) from None
        self.stdout.write(f"{user.username}: {', '.join(sorted(user.roles())) or '—'}")
