from django.core.management.base import BaseCommand, CommandError

from treatments.verification import signature_mismatches


class Command(BaseCommand):
    help = (
        "Recompute the SHA-256 digest of every signed administration and"
        " follow-up note and their"
        " amendments; list each record whose content no longer matches its"
        " signature and exit non-zero if there is any."
    )

    def handle(self, *args: object, **options: object) -> None:
        mismatches = 0
        for mismatch in signature_mismatches():
            mismatches += 1
            self.stdout.write(str(mismatch))
        if mismatches:
            raise CommandError(f"{mismatches} signature mismatch(es) found.")
        self.stdout.write(self.style.SUCCESS("Every stored signature digest matches."))
