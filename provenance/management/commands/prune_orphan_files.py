"""Report, and with --delete remove, stored files that nothing references any more.

Capture files (`sha256/…`) no capture points at, and uploads (`uploads/…`) no evidence
points at: left by evidence deleted before files were removed with it, by a removal that
failed, or by a capture whose worker died after storing. A file still referenced is never
touched, and files changed in the last --min-age minutes are spared: a capture may be
storing or reusing one right now.
"""

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError

from provenance.capture.retention import orphan_files_find, orphan_files_remove


class Command(BaseCommand):
    help = "List stored files no capture or evidence references; --delete removes them."

    def add_arguments(self, parser):
        parser.add_argument(
            "--delete", action="store_true", help="Remove the orphaned files (default: report)."
        )
        parser.add_argument(
            "--min-age",
            type=int,
            default=60,
            help="Only files unchanged for this many minutes (default 60).",
        )

    def handle(self, *args, delete=False, min_age=60, **options):
        if min_age < 0:
            raise CommandError("--min-age: give a number of minutes, 0 or more.")
        age = timedelta(minutes=min_age)
        orphans = orphan_files_find(min_age=age)
        for orphan in orphans:
            changed = orphan.modified_at.isoformat(timespec="seconds")
            self.stdout.write(
                f"ORPHAN {orphan.area} {orphan.name} ({orphan.size} bytes, changed {changed})"
            )
        total = sum(orphan.size or 0 for orphan in orphans)
        summary = f"Found {len(orphans)} orphaned file(s), {total} bytes."
        if not delete:
            hint = " Run with --delete to remove them." if orphans else ""
            self.stdout.write(summary + hint)
            return
        removed = orphan_files_remove(orphans=orphans, min_age=age)
        kept = len(orphans) - len(removed)
        note = f" {kept} kept: referenced or changed since the scan." if kept else ""
        self.stdout.write(self.style.SUCCESS(f"{summary} Removed {len(removed)}.{note}"))
