"""Seal the review events recorded before the log was chained (claims.review_log)."""

from django.db import migrations


def chain_existing(apps, schema_editor):
    from claims.review_log import GENESIS, review_event_sha256

    ReviewEvent = apps.get_model("claims", "ReviewEvent")
    ReviewEventCapture = apps.get_model("claims", "ReviewEventCapture")
    captures: dict[int, list[str]] = {}
    for event_id, sha256 in ReviewEventCapture.objects.values_list("review_event_id", "sha256"):
        captures.setdefault(event_id, []).append(sha256)
    rows = ReviewEvent.objects.order_by("claim_id", "created_at", "id").values(
        "id",
        "public_id",
        "claim_id",
        "claim__public_id",
        "actor_id",
        "from_state",
        "to_state",
        "from_verdict",
        "to_verdict",
        "from_credibility",
        "to_credibility",
        "comment",
        "created_at",
        "revision__sha256",
    )
    claim_id, previous = None, GENESIS
    for row in rows.iterator(chunk_size=2000):
        if row["claim_id"] != claim_id:
            claim_id, previous = row["claim_id"], GENESIS
        event = {
            **row,
            "claim_public_id": row["claim__public_id"],
            "revision_sha256": row["revision__sha256"],
            "capture_sha256s": captures.get(row["id"], []),
            "previous_sha256": previous,
        }
        sha256 = review_event_sha256(event)
        ReviewEvent.objects.filter(pk=row["id"]).update(sha256=sha256, previous_sha256=previous)
        previous = sha256


class Migration(migrations.Migration):
    dependencies = [("claims", "0006_review_event_chain")]

    operations = [migrations.RunPython(chain_existing, migrations.RunPython.noop)]
