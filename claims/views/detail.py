"""The claim page `/claims/<uuid>/` and its live evidence fragment.

Both read through claims.detail (the API's detail) so the page shows what the API
returns; they add only what the API leaves to other endpoints: which stored files each
latest capture has (to offer only downloads that exist), the browser capture beside it
(screenshot, or why there is none) and how appearances of other claims named in
`derived_from` are labelled.
"""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render

from claims.detail import claim_detail_for_user, claim_evidence_rows
from claims.forms import EvidenceForm, RelationForm
from claims.models import CREDIBILITY_HELP, Claim
from claims.views.changes import readable_changes
from claims.views.common import can_write, claim_or_404
from claimtrail.exceptions import NotFound
from claimtrail.visibility import sees_unpublished, visible_appearances
from provenance.capture.browser.status import SKIPPED_CODE as BROWSER_SKIPPED_CODE
from provenance.capture.shared.outcome import FILE_FIELDS
from provenance.models import Capture, CaptureStatus
from provenance.selectors import captures_with_browser_views
from sources.models import Source

PENDING = {CaptureStatus.QUEUED, CaptureStatus.FETCHING}


BROWSER_FIELDS = (
    "evidence_id",
    "status",
    "error_code",
    "error_message",
    "finished_at",
    "metadata__partial",
    "metadata__partial_reason",
)


def capture_files(evidence: list[dict]) -> tuple[dict, dict]:
    """In one query (none without evidence): which files each latest capture stored, by
    its public id ({name: bool} for FILE_FIELDS), and each evidence item's newest browser
    capture (the view of the page beside its HTTP capture), by evidence id: BROWSER_FIELDS,
    `public_id` and `files`. The latest capture leaves browser captures out
    (provenance.selectors.latest_captures), so without this the page never showed the
    screenshot, nor why there is none (browser captures off, a page that timed out)."""
    ids = [row["latest_capture__public_id"] for row in evidence if row["latest_capture__public_id"]]
    evidence_ids = [row["evidence_id"] for row in evidence]
    if not evidence_ids:
        return {}, {}
    found = captures_with_browser_views(capture_ids=ids, evidence_ids=evidence_ids).values(
        "public_id", "method", *FILE_FIELDS, *BROWSER_FIELDS
    )
    files, browser = {}, {}
    for row in found:
        stored = {name: bool(row[name]) for name in FILE_FIELDS}
        if row["method"] == Capture.Method.BROWSER:
            browser[row["evidence_id"]] = {
                **{name: row[name] for name in ("public_id", *BROWSER_FIELDS)},
                "files": stored,
                "skipped": row["error_code"] == BROWSER_SKIPPED_CODE,
            }
        else:
            files[row["public_id"]] = stored
    return files, browser


def evidence_cards(evidence: list[dict]) -> tuple[list[dict], bool]:
    """The evidence rows with their capture's files under `files` and their browser
    capture under `browser` (None when there is none), and whether any of those captures
    is still queued or fetching (the page polls only then)."""
    files, browser = capture_files(evidence)
    cards = [
        {
            **row,
            "files": files.get(row["latest_capture__public_id"], {}),
            "browser": browser.get(row["evidence_id"]),
        }
        for row in evidence
    ]
    pending = any(
        row["latest_capture__status"] in PENDING
        or (row["browser"] and row["browser"]["status"] in PENDING)
        for row in cards
    )
    return cards, pending


def _upstream_labels(detail: dict, *, actor) -> dict:
    """Label each appearance named in `derived_from`: those of this claim from the detail,
    those of other claims the actor may see in one query (the rest stay unnamed)."""
    labels = {
        row["public_id"]: {"source": row["source__name"], "claim": None, "row": row}
        for row in detail["appearances"]
    }
    elsewhere = {
        upstream
        for row in detail["appearances"]
        for upstream in row["derived_from"]
        if upstream and upstream not in labels
    }
    if elsewhere:
        found = (
            visible_appearances(actor)
            .filter(public_id__in=elsewhere)
            .values(
                "public_id",
                "source__name",
                "published_at",
                "published_precision",
                "claim__public_id",
                "claim__text",
            )
        )
        for row in found:
            labels[row["public_id"]] = {
                "source": row["source__name"],
                "claim": {"public_id": row["claim__public_id"], "text": row["claim__text"]},
                "row": row,
            }
    return labels


def _timeline(detail: dict, labels: dict) -> list[dict]:
    """The appearances in the API detail's order (date, undated last; an upstream is never
    dated after what derives from it, the services refuse that), each with its upstreams."""
    return [
        {
            **row,
            "upstreams": [
                {"public_id": upstream, **labels[upstream]}
                if upstream in labels
                else {"public_id": upstream}
                for upstream in row["derived_from"]
                if upstream
            ],
        }
        for row in detail["appearances"]
    ]


@login_required
def claim_detail_page(request, public_id):
    """Queries: the user's roles, the claim row (for the included panels), the detail
    (claim + tags, appearances, evidence, relations, review events; its revision and
    upstreams of a hidden claim when published), stored files of the latest captures,
    appearances of other claims named as upstreams (when there are any)."""
    if not sees_unpublished(request.user):
        # A signed-in account without a role reads what the public reads.
        return redirect(f"/c/{public_id}/")
    claim = claim_or_404(public_id=public_id, user=request.user)
    try:
        detail = claim_detail_for_user(public_id=claim.public_id, actor=request.user)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    labels = _upstream_labels(detail, actor=request.user)
    cards, pending = evidence_cards(detail["evidence"])
    writer = can_write(request.user)
    changes = readable_changes(detail.get("publication_diff", []), detail)
    context = {
        "claim": claim,
        "detail": detail,
        "timeline": _timeline(detail, labels),
        "cards": cards,
        "pending": pending,
        "changes": changes,
        "can_write": writer,
        "credibility_help": CREDIBILITY_HELP,
        "credibility_scale": Claim.Credibility.choices,
        "reliability_scale": Source.Reliability.choices,
        "verdict_label": dict(Claim.Verdict.choices).get(detail["verdict"], ""),
        "credibility_label": dict(Claim.Credibility.choices).get(detail["credibility"], ""),
        "evidence_form": EvidenceForm() if writer else None,
        "relation_form": RelationForm() if writer else None,
    }
    return render(request, "claims/claim_detail.html", context)


@login_required
def evidence_cards_fragment(request, public_id):
    """The evidence cards alone, polled by the claim page while a capture is pending.
    Queries: the claim, its evidence rows with the latest capture, the capture files.
    The rows are the working copy's: accounts without a role (who read only what was
    published) get a 404, as they get the public page instead of this one."""
    if not sees_unpublished(request.user):
        raise Http404("No claim with this id.")
    claim = claim_or_404(public_id=public_id, user=request.user)
    cards, pending = evidence_cards(claim_evidence_rows(claim_id=claim.id))
    return render(
        request,
        "claims/partials/evidence_cards.html",
        {"claim": claim, "cards": cards, "pending": pending},
    )
