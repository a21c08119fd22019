from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from treatments.scale import seed_scale


class Command(BaseCommand):
    help = (
        "Fill an empty, migrated database with scale data for benchmarks:"
        " --patients 100000 is the large tier (about 2M appointments, 1M"
        " administrations); a few hundred patients make a small tier."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--patients", type=int, default=100_000)
        parser.add_argument("--seed", type=int, default=20260101)

    def handle(self, *args: Any, **options: Any) -> None:
        def write(text: str) -> None:
            self.stdout.write(text, ending="")
            self.stdout.flush()

        try:
            seed_scale(
                patients=options["patients"],
                seed=options["seed"],
                say=self.stdout.write,
                write=write,
            )
        except ValueError as error:
            raise CommandError(str(error)) from None
