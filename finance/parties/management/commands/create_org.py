from django.core.management.base import BaseCommand, CommandError

from finance.core.errors import DomainError
from finance.parties.models import DeptLevel, OrgKind
from finance.parties.services import organisation_create


class Command(BaseCommand):
    help = "Register an organisation (bank, enterprise, fund_manager, guarantor, department, university)."

    def add_arguments(self, parser):
        parser.add_argument("--kind", required=True, choices=OrgKind.values)
        parser.add_argument("--name", required=True)
        parser.add_argument("--uscc", default=None, help="unified social credit code (18 characters)")
        parser.add_argument("--dept-level", default="", choices=["", *DeptLevel.values])
        parser.add_argument("--region", default="")

    def handle(self, *args, **o):
        try:
            org = organisation_create(
                kind=o["kind"], name=o["name"], uscc=o["uscc"], dept_level=o["dept_level"], region=o["region"]
            )
        except DomainError as exc:
            raise CommandError(exc.detail) from None
        self.stdout.write(f"created organisation {org.pk}: {org.name} ({org.kind}) {org.uscc or ''}")
