"""The data of a claim's PROV export: the provenance graph (provenance.graph) with what
PROV adds to it, as the plain dicts provenance.exports.prov takes."""

from claims.models import ReviewEvent
from claimtrail.lib.compiled_rows import grouped
from provenance.graph import claim_graph
from provenance.models import Appearance, Capture

APPEARANCE_FIELDS = ("id", "quote", "quote_language")
CAPTURE_FIELDS = (
    "id",
    "started_at",
    "requested_url",
    "final_url",
    "content_type",
    "size",
    "software_version",
)
REVIEW_EVENT_FIELDS = (
    "id",
    "public_id",
    "actor__username",
    "from_state",
    "to_state",
    "to_verdict",
    "comment",
    "created_at",
    "revision__sha256",
    "capture_links__sha256",
)


def claim_prov_graph(*, public_id, actor) -> dict:
    """The claim's provenance graph as `actor` may see it, shaped for
    claim_prov_document; NotFound (404) for a claim the actor may not see.

    The graph's queries (provenance.graph.claim_graph) and three more, whatever its size:
    the quotes of the appearances reached, the custody details of their succeeded
    captures, and the claim's review events (+ editor, published revision, the captures
    relied on).
    """
    graph = claim_graph(public_id=public_id, actor=actor)
    claim_ids = {key: row["public_id"] for key, row in graph.claims.items()}
    source_ids = {key: row["public_id"] for key, row in graph.sources.items()}
    appearance_ids = {key: row["public_id"] for key, row in graph.appearances.items()}
    evidence_ids = {key: row["public_id"] for key, row in graph.evidence.items()}

    quotes = {
        row["id"]: row
        for row in Appearance.objects.filter(id__in=list(appearance_ids)).values(*APPEARANCE_FIELDS)
    }
    upstream: dict[int, list] = {key: [] for key in appearance_ids}
    for appearance_id, upstream_id in graph.derivations:
        upstream[appearance_id].append(appearance_ids[upstream_id])
    parents = dict(graph.source_parents)
    links: dict[int, list[dict]] = {key: [] for key in evidence_ids}
    for evidence_id, claim_id, relation in graph.evidence_links:
        if claim_id in claim_ids:
            links[evidence_id].append({"claim": claim_ids[claim_id], "relation": relation})

    succeeded = {
        key: row
        for key, row in graph.captures.items()
        if row["status"] == Capture.Status.SUCCEEDED and row["sha256"]
    }
    custody = {
        row["id"]: row
        for row in Capture.objects.filter(id__in=list(succeeded)).values(*CAPTURE_FIELDS)
    }
    events = grouped(
        list(
            ReviewEvent.objects.filter(claim_id=graph.claim_id)
            .order_by("created_at", "id", "capture_links__id")
            .values(*REVIEW_EVENT_FIELDS)
        ),
        key="id",
        child_columns=("capture_links__sha256",),
        into="captures",
    )
    claim_public_id = claim_ids[graph.claim_id]
    return {
        "claims": list(graph.claims.values()),
        "sources": [
            {**row, "parent": source_ids.get(parents.get(key))}
            for key, row in graph.sources.items()
        ],
        "appearances": [
            {
                **row,
                **quotes.get(key, {"quote": "", "quote_language": ""}),
                "public_id": row["public_id"],
                "claim": claim_ids.get(row["claim_id"]),
                "source": source_ids.get(row["source_id"]),
                "derived_from": upstream[key],
            }
            for key, row in graph.appearances.items()
        ],
        "evidence": [{**row, "claims": links[key]} for key, row in graph.evidence.items()],
        "captures": [
            {**row, **custody.get(key, {}), "evidence": evidence_ids[row["evidence_id"]]}
            for key, row in succeeded.items()
        ],
        "review_events": [
            {
                **event,
                "claim": claim_public_id,
                "actor": event["actor__username"],
                "revision_sha256": event["revision__sha256"],
            }
            for event in events
        ],
        "relations": [
            {
                **row,
                "from_claim": claim_ids[row["from_claim_id"]],
                "to_claim": claim_ids[row["to_claim_id"]],
            }
            for row in graph.relations
        ],
    }
