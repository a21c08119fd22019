from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils.module_loading import import_string

from clinic.core.demo_staff import DEMO_USERS
from clinic.core.locking import batch_transaction


class Command(BaseCommand):
    help = "Create (or complete) the demo clinic. Safe to run more than once."

    def handle(self, *args: object, **options: object) -> None:
        # All or nothing: a half-seeded demo clinic would confuse more than none.
        with batch_transaction():
            for dotted in settings.DEMO_SEEDERS:
                import_string(dotted)(say=self.stdout.write)
        self.stdout.write(self.style.SUCCESS("Demo clinic ready. Logins:"))
        for username, password, role, _first, _last in DEMO_USERS:
            self.stdout.write(f"  {role:<11} {username:<10} password: {password}")
