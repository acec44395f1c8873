"""Re-hash every stored blob, WARC, thumbnail and DOM and compare with the database.

A capture is only worth its hash if the stored bytes still match it: run this after a
restore, a storage migration, or on a schedule. Exit status 1 when anything is missing or
altered, so cron and CI notice.
"""

import uuid

from django.core.management.base import BaseCommand, CommandError

from provenance.capture.shared.storage import hash_stream, open_stored
from provenance.models import Capture


class Command(BaseCommand):
    help = "Re-hash stored capture blobs and WARCs against the database; exit 1 on any problem."

    def add_arguments(self, parser):
        parser.add_argument(
            "--evidence", help="Only captures of this evidence (public UUID).", default=None
        )

    def handle(self, *args, evidence=None, **options):
        captures = Capture.objects.exclude(blob="", warc="").order_by("pk")
        if evidence:
            try:
                evidence = uuid.UUID(str(evidence))
            except ValueError as exc:
                raise CommandError(f"--evidence: “{evidence}” is not an evidence UUID.") from exc
            captures = captures.filter(evidence__public_id=evidence)
        checked, problems = 0, []
        # iterator(): constant memory over any number of captures; one query per chunk.
        rows = captures.values_list(
            "public_id", "blob", "sha256", "size", "warc", "warc_sha256", "thumbnail", "dom"
        )
        for public_id, blob, sha256, size, warc, warc_sha256, thumb, dom in rows.iterator(500):
            if blob:
                problems += self._check(public_id, "blob", blob, sha256, size)
                checked += 1
            if warc:
                problems += self._check(public_id, "WARC", warc, warc_sha256, None)
                checked += 1
            if thumb:  # named by its own hash
                problems += self._check(public_id, "thumbnail", thumb, thumb.rsplit("/")[-1], None)
                checked += 1
            if dom:  # a browser capture's rendered DOM; its screenshot is the blob
                problems += self._check(public_id, "DOM", dom, dom.rsplit("/")[-1], None)
                checked += 1
        for problem in problems:
            self.stderr.write(problem)
        summary = f"Checked {checked} stored files: {len(problems)} problem(s)."
        if problems:
            raise CommandError(summary)
        self.stdout.write(self.style.SUCCESS(summary))

    def _check(self, public_id, label: str, name: str, expected: str, size) -> list[str]:
        try:
            with open_stored(name) as fh:
                actual, actual_size = hash_stream(fh)
        except FileNotFoundError:
            return [f"MISSING  capture {public_id} {label} {name}"]
        if actual != expected:
            return [
                f"MISMATCH capture {public_id} {label} {name}: "
                f"expected sha256 {expected}, found {actual}"
            ]
        if size is not None and actual_size != size:
            return [
                f"MISMATCH capture {public_id} {label} {name}: "
                f"expected {size} bytes, found {actual_size}"
            ]
        return []
