from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.module_loading import import_string

from clinic.demo import DEMO_USERS


class Command(BaseCommand):
    help = "Create (or complete) the demo clinic. Safe to run more than once."

    def handle(self, *args: object, **options: object) -> None:
        with transaction.atomic():
            for dotted in settings.DEMO_SEEDERS:
                import_string(dotted)(say=self.stdout.write)
        self.stdout.write(self.style.SUCCESS("Demo clinic ready. Logins:"))
        for username, password, role, _first, _last in DEMO_USERS:
            self.stdout.write(f"  {role:<11} {username:<10} password: {password}")
