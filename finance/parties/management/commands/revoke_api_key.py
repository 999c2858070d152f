from django.core.management.base import BaseCommand, CommandError

from finance.parties.models import OrganisationAPIKey
from finance.parties.services import api_key_revoke


class Command(BaseCommand):
    help = "Revoke an API key by its prefix (the part before the dot); the admin only shows keys."

    def add_arguments(self, parser):
        parser.add_argument("--prefix", required=True)

    def handle(self, *args, **o):
        api_key = OrganisationAPIKey.objects.filter(prefix=o["prefix"]).first()
        if api_key is None:
            raise CommandError(f"找不到 API 密钥 {o['prefix']} / no API key {o['prefix']}")
        api_key_revoke(api_key=api_key)
        self.stdout.write(f"revoked / 已吊销: {api_key.prefix} ({api_key.organisation})")
