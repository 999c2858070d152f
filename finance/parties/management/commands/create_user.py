from django.core.management.base import BaseCommand, CommandError

from finance.core.errors import DomainError
from finance.parties.models import Role
from finance.parties.services import organisation_by_code, user_create


class Command(BaseCommand):
    help = "Create a user in an organisation with a role; prints a generated password once."

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True, help="the organisation's social credit code (or id)")
        parser.add_argument("--role", required=True, action="append", choices=Role.values)
        parser.add_argument("--username", required=True)

    def handle(self, *args, **o):
        try:
            org = organisation_by_code(o["org"])
            user, password = user_create(organisation=org, username=o["username"], roles=o["role"])
        except DomainError as exc:
            raise CommandError(exc.detail) from None
        self.stdout.write(f"user {user.username} in {org.name}, roles {', '.join(o['role'])}")
        self.stdout.write(f"password: {password}")
