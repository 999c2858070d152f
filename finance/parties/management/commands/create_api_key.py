from django.core.management.base import BaseCommand, CommandError

from finance.core.errors import DomainError
from finance.parties.services import api_key_create, organisation_by_code


class Command(BaseCommand):
    help = "Issue an API key for a bank or guarantor; the key is printed once and stored only as a hash."

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True, help="the organisation's social credit code (or id)")
        parser.add_argument("--name", default="bank system")

    def handle(self, *args, **o):
        try:
            _, key = api_key_create(organisation=organisation_by_code(o["org"]), name=o["name"])
        except DomainError as exc:
            raise CommandError(exc.detail) from None
        self.stdout.write("API key (shown once) / API 密钥（仅显示一次）:")
        self.stdout.write(key)
