"""A claim's evidence package: a WACZ of its evidence captures plus the claim's records and
a script that re-checks all of it offline (claims/exports/verify_package.py).

What goes in, as the caller may see it (claimtrail/visibility.py):
- readers of published claims only (anonymous): the claim's current published revision
  (`records/revision.json`) and the captures of the evidence it lists; a claim that is
  not published is a 404, as everywhere else;
- viewers and the roles above: also the working copy as the API's claim detail shows it
  (`records/working.json`), and the captures of its evidence; the published revision
  when there is one.
`records/package.json` says which of these the package holds. Every package has the
PROV-JSON (`records/prov.json`, as the caller may see the graph), the review log with
its hash chain (`records/review-log.json`), the ClaimReview when the claim is published
(`records/claimreview.json`), and `verify/` (the script and the two rule modules it
applies, copied verbatim from the project).

The archive holds every succeeded capture with a WARC of those evidence items (page,
browser and media captures, uploads), named `archive/<capture id>.warc.gz`.
"""

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

from django.conf import settings
from django.db.models import F

from claims.api.payloads import claim_detail
from claims.detail import claim_detail_for_user
from claims.exports.claimreview_read import published_claim_review
from claims.models import Claim, PublishedRevision
from claims.review_chain import review_log_events
from claims.review_log import EVENT_KEYS
from claims.revisions import published_detail
from claimtrail.visibility import parse_public_id, visible_captures
from provenance.capture.shared import storage
from provenance.capture.shared.custody import software_version
from provenance.exports.prov import claim_prov_document, prov_serialize
from provenance.exports.prov_read import claim_prov_graph
from provenance.exports.wacz import WarcEntry, write_wacz
from provenance.models import Capture

ROOT = Path(__file__).resolve().parents[2]
# The verification script and the modules it applies, as files of the package.
VERIFY_FILES = {
    "verify/verify.py": ROOT / "claims" / "exports" / "verify_package.py",
    "verify/canonical.py": ROOT / "claimtrail" / "lib" / "canonical.py",
    "verify/review_log.py": ROOT / "claims" / "review_log.py",
}
CAPTURE_FIELDS = (
    "public_id",
    "method",
    "final_url",
    "requested_url",
    "started_at",
    "finished_at",
    "sha256",
    "warc",
    "warc_sha256",
    "evidence_public_id",
    "page_title",
)


MISSING_WARC = "Its stored WARC file was missing when the package was made."


@dataclass(frozen=True)
class PackageContents:
    """Everything a package holds but the WARCs' bytes."""

    claim_public_id: str
    holds: str  # "published revision" or "working copy"
    revision: dict | None
    working: dict | None
    claim_review: dict | None
    prov_json: str
    review_log: list[dict]
    captures: list[dict]
    # Succeeded captures whose stored WARC file is gone (`manage.py verify_captures` lists
    # them): the package says so rather than failing or leaving them out silently.
    captures_without_warc: list[dict]


def _json(value) -> bytes:
    return json.dumps(value, indent=2, ensure_ascii=False, default=str).encode()


def _log_event(event: dict) -> dict:
    # What claims.review_log hashes (its EVENT_KEYS), plus the actor's name below.
    row = {key: event[key] for key in EVENT_KEYS}
    row["public_id"] = str(row["public_id"])
    row["claim_public_id"] = str(row["claim_public_id"])
    row["created_at"] = event["created_at"].astimezone(UTC).isoformat(timespec="microseconds")
    return row


def _revision(revision: dict | None) -> dict | None:
    if revision is None:
        return None
    return {
        "id": str(revision["public_id"]),
        "number": revision["number"],
        "sha256": revision["sha256"],
        "published_at": revision["created_at"].astimezone(UTC).isoformat(),
        "payload": revision["payload"],
    }


def claim_package_contents(*, public_id, actor) -> PackageContents:
    """What `actor` may package of the claim; NotFound (404) as the claim detail.

    A fixed number of queries whatever the claim's size: the detail's (five for viewers
    and above plus their revision; four for anonymous readers plus the stored revision),
    the published detail for the ClaimReview (four, when published and read by a viewer
    or above), the claim's id, the review log (one), the captures (one) and the PROV
    graph's (provenance.exports.prov_read, a fixed number).
    """
    detail = claim_detail_for_user(public_id=public_id, actor=actor)
    parsed = parse_public_id(public_id)
    if "published_payload" in detail:  # a reader of published claims
        published = detail
        revision = (
            PublishedRevision.objects.filter(public_id=detail["revision"]["public_id"])
            .values("public_id", "number", "sha256", "created_at", "payload")
            .first()
        )
        working = None
        evidence_ids = [item["id"] for item in revision["payload"]["evidence"]]
    else:
        revision = detail["revision"]
        working = claim_detail(detail)
        evidence_ids = [str(row["evidence__public_id"]) for row in detail["evidence"]]
        is_published = detail["review_state"] == Claim.ReviewState.PUBLISHED and revision
        published = published_detail(public_id=parsed) if is_published else None
    claim_id = Claim.objects.filter(public_id=parsed).values_list("id", flat=True).get()
    graph = claim_prov_graph(public_id=public_id, actor=actor)
    prov_json, _ = prov_serialize(
        claim_prov_document(graph=graph, base_url=settings.SITE_URL), format="json"
    )
    captures = list(
        visible_captures(actor)
        .filter(
            evidence__public_id__in=evidence_ids,
            status=Capture.Status.SUCCEEDED,
        )
        .exclude(warc="")
        .annotate(evidence_public_id=F("evidence__public_id"), page_title=F("metadata__title"))
        .order_by("started_at", "id")
        .values(*CAPTURE_FIELDS)
    )
    stored = [c for c in captures if storage.stored_file_exists(c["warc"])]
    return PackageContents(
        claim_public_id=str(parsed),
        holds="working copy" if working is not None else "published revision",
        revision=_revision(revision),
        working=working,
        claim_review=published_claim_review(published) if published else None,
        prov_json=prov_json,
        review_log=[_log_event(e) for e in review_log_events(claim_ids=[claim_id])],
        captures=stored,
        captures_without_warc=[c for c in captures if c not in stored],
    )


def _page_url(capture: dict) -> str:
    return capture["final_url"] or capture["requested_url"]


def _records(
    contents: PackageContents, created: datetime, urls: dict[str, str]
) -> dict[str, bytes]:
    files = {
        "records/package.json": _json(
            {
                "claim": contents.claim_public_id,
                "holds": contents.holds,
                "revision": contents.revision
                and {k: v for k, v in contents.revision.items() if k != "payload"},
                "created": created.isoformat(),
                "software": software_version(),
                "captures": [
                    {
                        "id": str(c["public_id"]),
                        "evidence": str(c["evidence_public_id"]),
                        "method": c["method"],
                        "url": urls[_warc_name(c)],
                        "captured_at": c["started_at"].astimezone(UTC).isoformat(),
                        "sha256": c["sha256"],
                        "warc": f"archive/{_warc_name(c)}",
                        "warc_sha256": c["warc_sha256"],
                    }
                    for c in contents.captures
                ],
                "captures_without_warc": [
                    {
                        "id": str(c["public_id"]),
                        "evidence": str(c["evidence_public_id"]),
                        "method": c["method"],
                        "captured_at": c["started_at"].astimezone(UTC).isoformat(),
                        "sha256": c["sha256"],
                        "warc_sha256": c["warc_sha256"],
                        "reason": MISSING_WARC,
                    }
                    for c in contents.captures_without_warc
                ],
            }
        ),
        "records/prov.json": contents.prov_json.encode(),
        "records/review-log.json": _json(
            {"claim": contents.claim_public_id, "events": contents.review_log}
        ),
    }
    if contents.revision is not None:
        files["records/revision.json"] = _json(contents.revision)
    if contents.working is not None:
        files["records/working.json"] = _json(contents.working)
    if contents.claim_review is not None:
        files["records/claimreview.json"] = _json(contents.claim_review)
    for name, path in VERIFY_FILES.items():
        files[name] = path.read_bytes()
    return files


def _warc_name(capture: dict) -> str:
    return f"{capture['public_id']}.warc.gz"


def _open_warc(name: str):
    return storage.open_stored(name)


def claim_package_write(*, out, contents: PackageContents) -> None:
    """The package as a zip (a WACZ with the claim's records) written to `out`, a
    seekable binary file."""
    created = datetime.now(UTC)
    warcs = [
        WarcEntry(
            name=_warc_name(capture),
            open=partial(_open_warc, capture["warc"]),
            page_url=_page_url(capture),
            page_title=capture["page_title"] or "",
            captured_at=capture["started_at"],
        )
        for capture in contents.captures
    ]
    write_wacz(
        out,
        warcs=warcs,
        extra_files=partial(_records, contents, created),
        title=f"Claimtrail evidence package of claim {contents.claim_public_id}",
        description=(
            f"The claim's {contents.holds}, its evidence captures' WARCs, PROV-JSON, "
            "review log and ClaimReview. Check it offline: python3 verify/verify.py"
        ),
        software=software_version(),
    )
