from django.core.management.base import BaseCommand, CommandError

from finance.core.errors import DomainError
from finance.parties.services import organisation_by_code, organisation_set_active


class Command(BaseCommand):
    help = (
        "Deactivate (--inactive) or reactivate (--active) an organisation: deactivation stops its API keys, "
        "its users' logins and their open sessions at once."
    )

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True, help="the organisation's social credit code (or id)")
        state = parser.add_mutually_exclusive_group(required=True)
        state.add_argument("--inactive", action="store_true")
        state.add_argument("--active", action="store_true")

    def handle(self, *args, **o):
        try:
            org = organisation_set_active(organisation=organisation_by_code(o["org"]), active=o["active"])
        except DomainError as exc:
            raise CommandError(exc.detail) from None
        self.stdout.write(f"{org}: {'active / 启用' if org.is_active else 'inactive / 停用'}")
