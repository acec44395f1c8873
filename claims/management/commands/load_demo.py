"""Load the Kremlin drone demo case (claims.demo); safe to run any number of times."""

from django.core.management.base import BaseCommand

from claims.demo import demo_load, demo_main_claim


class Command(BaseCommand):
    help = "Build the Kremlin drone case of 3 May 2023; a second run changes nothing."

    def handle(self, *args, **options):
        result = demo_load()
        kinds = ("sources", "claims", "relations", "appearances", "evidence")
        created = ", ".join(f"{result.created.get(k, 0)} {k}" for k in kinds)
        if result.created:
            self.stdout.write(self.style.SUCCESS(f"Demo case loaded: created {created}."))
        else:
            self.stdout.write("Demo case already loaded; nothing changed.")
        main = demo_main_claim()
        if main is not None:
            self.stdout.write(f"Main claim: /api/claims/{main.public_id}/ ({main.review_state})")
