import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from finance.core.errors import DomainError
from finance.parties.services import api_key_create, organisation_by_code


class Command(BaseCommand):
    help = ("Issue an API key for a bank or guarantor; the key is printed once and stored only as a hash. "
            "It expires after --expires-days (365 by default; 0 for never).")

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True, help="the organisation's social credit code (or id)")
        parser.add_argument("--name", default="bank system")
        parser.add_argument("--expires-days", type=int, default=365)

    def handle(self, *args, **o):
        try:
            if o["expires_days"] < 0:
                raise DomainError(
                    "有效天数不能为负", "--expires-days cannot be negative", field="expires_days"
                )
            expiry = timezone.now() + dt.timedelta(days=o["expires_days"]) if o["expires_days"] else None
            _, key = api_key_create(
                organisation=organisation_by_code(o["org"]), name=o["name"], expiry_date=expiry
            )
        except DomainError as exc:
            raise CommandError(exc.detail) from None
        self.stdout.write("API key (shown once) / API 密钥（仅显示一次）:")
        self.stdout.write(key)
