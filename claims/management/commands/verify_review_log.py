"""Re-check the hash chain of every claim's review events (claims.review_log).

An event edited, removed or inserted behind the application's back breaks its claim's
chain; this names the first broken link of each claim. Exit status 1 when any chain is
broken, so cron and CI notice.
"""

from django.core.management.base import BaseCommand, CommandError

from claims.models import Claim
from claims.review_chain import review_log_events
from claims.review_log import verify_review_log
from claimtrail.visibility import parse_public_id


class _Counted:
    """Passes events through, counting them and their claims."""

    def __init__(self, events):
        self.events, self.count, self.claims = events, 0, set()

    def __iter__(self):
        for event in self.events:
            self.count += 1
            self.claims.add(event["claim_id"])
            yield event


class Command(BaseCommand):
    help = "Re-check the review log's hash chains; exit 1 naming the first broken link."

    def add_arguments(self, parser):
        parser.add_argument("--claim", help="Only this claim (public UUID).", default=None)

    def handle(self, *args, claim=None, **options):
        claim_ids = None
        if claim:
            public_id = parse_public_id(claim)
            found = public_id and Claim.objects.filter(public_id=public_id).first()
            if not found:
                raise CommandError(f"--claim: no claim with id “{claim}”.")
            claim_ids = [found.pk]
        events = _Counted(review_log_events(claim_ids=claim_ids))
        broken = verify_review_log(events)
        for link in broken:
            self.stderr.write(f"BROKEN   {link}")
        summary = (
            f"Checked {events.count} review events of {len(events.claims)} claims: "
            f"{len(broken)} broken chain(s)."
        )
        if broken:
            raise CommandError(summary)
        self.stdout.write(self.style.SUCCESS(summary))
