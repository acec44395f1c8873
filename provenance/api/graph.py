"""GET /api/claims/{id}/graph/: the provenance graph as Cytoscape.js elements, with origin,
spread and timeline.

The payload is built as plain dicts from provenance.graph and provenance.spread (DRF's
per-field work would dominate a graph of thousands of elements); the serializers below
describe it exactly for the schema, and tests/provenance/test_api_claim_graph.py checks
responses against that schema.
"""

from datetime import datetime

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from claims.models import Claim, ClaimRelation
from claimtrail.api_schema import error_responses
from provenance.graph import BOTH, DEFAULT_DEPTH, DIRECTIONS, MAX_DEPTH, claim_graph
from provenance.models import Appearance, Capture, EvidenceClaim
from provenance.spread import origin_and_spread
from sources.models import Source

NODE_TYPES = ("claim", "appearance", "source", "evidence", "capture")
EDGE_TYPES = (
    "derived_from",
    "appears_in",
    "made_by",
    "part_of",
    "backs",
    "refutes",
    "context",
    "carried_by",
    "captured_as",
    "related",
)
EVIDENCE_EDGE = {
    EvidenceClaim.Relation.SUPPORTS: ("backs", "backs"),
    EvidenceClaim.Relation.REFUTES: ("refutes", "refutes"),
    EvidenceClaim.Relation.CONTEXT: ("context", "context for"),
}
LABEL_LENGTH = 80


# --- Serializers (the schema of the payload) ---------------------------------------------


class GraphQuerySerializer(serializers.Serializer):
    direction = serializers.ChoiceField(
        choices=DIRECTIONS,
        default=BOTH,
        help_text="Follow derived-from edges upstream, downstream or both.",
    )
    depth = serializers.IntegerField(
        min_value=0,
        max_value=MAX_DEPTH,
        default=DEFAULT_DEPTH,
        help_text=f"Most derived-from hops from the claim's own appearances ({MAX_DEPTH}).",
    )


class GraphNodeDataSerializer(serializers.Serializer):
    """A node's data; fields after `label` are present only on the node types named."""

    id = serializers.UUIDField(help_text="The object's public id.")
    type = serializers.ChoiceField(choices=NODE_TYPES)
    label = serializers.CharField()
    role = serializers.ChoiceField(
        choices=["focus", "reached", "related"],
        required=False,
        help_text="claim: the claim asked for, one reached through appearances, or one "
        "only related to those.",
    )
    review_state = serializers.ChoiceField(choices=Claim.ReviewState.choices, required=False)
    verdict = serializers.CharField(required=False, help_text="claim: blank until reviewed.")
    claim = serializers.UUIDField(required=False, help_text="appearance: its claim.")
    source = serializers.UUIDField(required=False, help_text="appearance: who made it.")
    stance = serializers.ChoiceField(choices=Appearance.Stance.choices, required=False)
    url = serializers.CharField(required=False, help_text="appearance, evidence.")
    published_at = serializers.DateTimeField(required=False, allow_null=True)
    published_precision = serializers.ChoiceField(
        choices=Appearance.Precision.choices, required=False
    )
    up_depth = serializers.IntegerField(
        required=False, allow_null=True, help_text="appearance: hops upstream of the claim."
    )
    down_depth = serializers.IntegerField(
        required=False, allow_null=True, help_text="appearance: hops downstream of the claim."
    )
    origin = serializers.BooleanField(
        required=False, help_text="appearance: nothing visible upstream of it."
    )
    kind = serializers.CharField(required=False, help_text="source, evidence: their kind.")
    country = serializers.CharField(required=False, help_text="source: ISO 3166-1 alpha-2.")
    state_affiliated = serializers.BooleanField(required=False)
    reliability = serializers.ChoiceField(choices=Source.Reliability.choices, required=False)
    status = serializers.ChoiceField(choices=Capture.Status.choices, required=False)
    method = serializers.ChoiceField(choices=Capture.Method.choices, required=False)
    sha256 = serializers.CharField(required=False, help_text="capture: blank until fetched.")
    finished_at = serializers.DateTimeField(required=False, allow_null=True)


class GraphNodeSerializer(serializers.Serializer):
    data = GraphNodeDataSerializer()


class GraphEdgeDataSerializer(serializers.Serializer):
    id = serializers.CharField(help_text="<type>:<source id>:<target id>, or related:<id>.")
    source = serializers.UUIDField()
    target = serializers.UUIDField()
    type = serializers.ChoiceField(
        choices=EDGE_TYPES,
        help_text="derived_from appearance→upstream appearance; appears_in appearance→claim; "
        "made_by appearance→source; part_of source→parent; backs, refutes, context "
        "evidence→claim; carried_by evidence→appearance; captured_as evidence→capture; "
        "related claim→claim.",
    )
    label = serializers.CharField()
    kind = serializers.ChoiceField(
        choices=ClaimRelation.Kind.choices, required=False, help_text="related: the relation."
    )


class GraphEdgeSerializer(serializers.Serializer):
    data = GraphEdgeDataSerializer()


class GraphElementsSerializer(serializers.Serializer):
    nodes = GraphNodeSerializer(many=True)
    edges = GraphEdgeSerializer(many=True)


class ElapsedSerializer(serializers.Serializer):
    min = serializers.FloatField(help_text="Seconds, at the least.")
    max = serializers.FloatField(help_text="Seconds, at the most.")


class SpreadAppearanceSerializer(serializers.Serializer):
    appearance = serializers.UUIDField()
    origin = serializers.UUIDField()
    path = serializers.ListField(
        child=serializers.UUIDField(), help_text="Appearance ids from the origin to this one."
    )
    hops = serializers.IntegerField()
    elapsed = ElapsedSerializer(allow_null=True, help_text="Time since the origin.")


class SpreadSourceSerializer(serializers.Serializer):
    source = serializers.UUIDField()
    first_appearance = serializers.UUIDField()
    hops = serializers.IntegerField(
        allow_null=True, help_text="Fewest hops from an origin to any of its appearances."
    )
    elapsed = ElapsedSerializer(allow_null=True, help_text="Time from the first origin.")


class FirstByCategorySerializer(serializers.Serializer):
    category = serializers.CharField(
        help_text="A source kind, or state_affiliated, state_outlet, foreign, foreign_outlet "
        "(foreign: another country than the first origin's source)."
    )
    label = serializers.CharField()
    appearance = serializers.UUIDField()
    source = serializers.UUIDField()


class SpreadSerializer(serializers.Serializer):
    appearances = SpreadAppearanceSerializer(many=True)
    sources = SpreadSourceSerializer(many=True)
    first_by_category = FirstByCategorySerializer(many=True)


class TimelineEntrySerializer(serializers.Serializer):
    appearance = serializers.UUIDField()
    date = serializers.CharField(
        allow_null=True, help_text="As given: 2023, 2023-05, 2023-05-03 or a time; null if unknown."
    )
    precision = serializers.ChoiceField(choices=Appearance.Precision.choices)
    earliest = serializers.DateTimeField(allow_null=True)
    latest = serializers.DateTimeField(allow_null=True)
    overlaps_previous = serializers.BooleanField(
        help_text="The dates alone do not say whether the previous entry came first."
    )


class ClaimGraphSerializer(serializers.Serializer):
    claim = serializers.UUIDField()
    direction = serializers.ChoiceField(choices=DIRECTIONS)
    depth = serializers.IntegerField()
    truncated = serializers.BooleanField(help_text="The depth cut off further appearances.")
    elements = GraphElementsSerializer(help_text="Cytoscape.js elements.")
    origins = serializers.ListField(
        child=serializers.UUIDField(), help_text="Appearances with no upstream, earliest first."
    )
    spread = SpreadSerializer()
    timeline = TimelineEntrySerializer(many=True)


# --- Payload ------------------------------------------------------------------------------


def _datetime(value: datetime | None) -> str | None:
    """As DRF's DateTimeField gives it under UTC: ISO 8601 with Z."""
    if value is None:
        return None
    return value.isoformat().replace("+00:00", "Z")


def _short(text: str) -> str:
    return text if len(text) <= LABEL_LENGTH else text[: LABEL_LENGTH - 1] + "…"


def _edge(edge_type: str, source: str, target: str, label: str, **extra) -> dict:
    edge_id = f"{edge_type}:{source}:{target}"
    data = {"id": edge_id, "source": source, "target": target, "type": edge_type, "label": label}
    return {"data": data | extra}


def _claim_nodes(graph, reached: set[int]) -> list[dict]:
    nodes = []
    for claim_id, row in graph.claims.items():
        role = "focus" if claim_id == graph.claim_id else "reached"
        if claim_id not in reached and role != "focus":
            role = "related"
        nodes.append(
            {
                "data": {
                    "id": str(row["public_id"]),
                    "type": "claim",
                    "label": _short(row["text"]),
                    "role": role,
                    "review_state": row["review_state"],
                    "verdict": row["verdict"],
                }
            }
        )
    return nodes


def _appearance_nodes(graph, order: list[int], origins: set[int], labels: dict) -> list[dict]:
    nodes = []
    for a in order:
        row = graph.appearances[a]
        source = graph.sources[row["source_id"]]
        when = labels[a] or "date unknown"
        nodes.append(
            {
                "data": {
                    "id": str(row["public_id"]),
                    "type": "appearance",
                    "label": _short(f"{source['name']} {row['stance']}, {when}"),
                    "claim": str(graph.claims[row["claim_id"]]["public_id"]),
                    "source": str(source["public_id"]),
                    "stance": row["stance"],
                    "url": row["url"],
                    "published_at": _datetime(row["published_at"]),
                    "published_precision": row["published_precision"],
                    "up_depth": row["up_depth"],
                    "down_depth": row["down_depth"],
                    "origin": a in origins,
                }
            }
        )
    return nodes


def _source_nodes(graph) -> list[dict]:
    return [
        {
            "data": {
                "id": str(row["public_id"]),
                "type": "source",
                "label": _short(row["name"]),
                "kind": row["kind"],
                "country": row["country"],
                "state_affiliated": row["state_affiliated"],
                "reliability": row["reliability"],
            }
        }
        for row in graph.sources.values()
    ]


def _evidence_nodes(graph) -> list[dict]:
    nodes = []
    for row in graph.evidence.values():
        label = row["title"] or row["url"] or row["original_filename"]
        nodes.append(
            {
                "data": {
                    "id": str(row["public_id"]),
                    "type": "evidence",
                    "label": _short(label),
                    "kind": row["kind"],
                    "url": row["url"],
                }
            }
        )
    nodes.extend(
        {
            "data": {
                "id": str(row["public_id"]),
                "type": "capture",
                "label": f"{row['method']} capture, {row['status']}",
                "status": row["status"],
                "method": row["method"],
                "sha256": row["sha256"],
                "finished_at": _datetime(row["finished_at"]),
            }
        }
        for row in graph.captures.values()
    )
    return nodes


def _edges(graph) -> list[dict]:
    ids = {
        "appearance": {a: str(row["public_id"]) for a, row in graph.appearances.items()},
        "claim": {c: str(row["public_id"]) for c, row in graph.claims.items()},
        "source": {s: str(row["public_id"]) for s, row in graph.sources.items()},
        "evidence": {e: str(row["public_id"]) for e, row in graph.evidence.items()},
    }
    appearance, claim, source, evidence = (
        ids["appearance"],
        ids["claim"],
        ids["source"],
        ids["evidence"],
    )
    edges = [
        _edge("derived_from", appearance[a], appearance[u], "derives from")
        for a, u in graph.derivations
    ]
    for a, row in graph.appearances.items():
        edges.append(_edge("appears_in", appearance[a], claim[row["claim_id"]], "appearance of"))
        edges.append(_edge("made_by", appearance[a], source[row["source_id"]], "made by"))
    edges += [
        _edge("part_of", source[child], source[parent], "part of")
        for child, parent in graph.source_parents
    ]
    for evidence_id, claim_id, relation in graph.evidence_links:
        kind, label = EVIDENCE_EDGE[relation]
        edges.append(_edge(kind, evidence[evidence_id], claim[claim_id], label))
    for evidence_id, row in graph.evidence.items():
        if row["appearance_id"] is not None:
            target = appearance[row["appearance_id"]]
            edges.append(_edge("carried_by", evidence[evidence_id], target, "carried by"))
    for row in graph.captures.values():
        target = str(row["public_id"])
        edges.append(_edge("captured_as", evidence[row["evidence_id"]], target, "captured as"))
    for row in graph.relations:
        edge = _edge(
            "related",
            claim[row["from_claim_id"]],
            claim[row["to_claim_id"]],
            ClaimRelation.Kind(row["kind"]).label.lower(),
            kind=row["kind"],
        )
        edge["data"]["id"] = f"related:{row['public_id']}"
        edges.append(edge)
    return edges


def _elapsed(value: dict | None) -> dict | None:
    return None if value is None else {"min": value["min"], "max": value["max"]}


def graph_payload(graph) -> dict:
    """The response body of the graph endpoint for a provenance.graph.ProvenanceGraph."""
    spread = origin_and_spread(graph)
    appearance = {a: str(row["public_id"]) for a, row in graph.appearances.items()}
    source = {s: str(row["public_id"]) for s, row in graph.sources.items()}
    order = [entry["appearance_id"] for entry in spread["timeline"]]
    labels = {entry["appearance_id"]: entry["date"] for entry in spread["timeline"]}
    reached_claims = {row["claim_id"] for row in graph.appearances.values()}
    nodes = [
        *_claim_nodes(graph, reached_claims),
        *_appearance_nodes(graph, order, set(spread["origins"]), labels),
        *_source_nodes(graph),
        *_evidence_nodes(graph),
    ]
    return {
        "claim": str(graph.claims[graph.claim_id]["public_id"]),
        "direction": graph.direction,
        "depth": graph.depth,
        "truncated": graph.truncated,
        "elements": {"nodes": nodes, "edges": _edges(graph)},
        "origins": [appearance[a] for a in spread["origins"]],
        "spread": {
            "appearances": [
                {
                    "appearance": appearance[a],
                    "origin": appearance[spread["appearances"][a]["origin"]],
                    "path": [appearance[step] for step in spread["appearances"][a]["path"]],
                    "hops": spread["appearances"][a]["hops"],
                    "elapsed": _elapsed(spread["appearances"][a]["elapsed"]),
                }
                for a in order
                if a in spread["appearances"]
            ],
            "sources": [
                {
                    "source": source[row["source_id"]],
                    "first_appearance": appearance[row["first_appearance_id"]],
                    "hops": row["hops"],
                    "elapsed": _elapsed(row["elapsed"]),
                }
                for row in spread["sources"]
            ],
            "first_by_category": [
                {
                    "category": row["category"],
                    "label": row["label"],
                    "appearance": appearance[row["appearance_id"]],
                    "source": source[row["source_id"]],
                }
                for row in spread["first_by_category"]
            ],
        },
        "timeline": [
            {
                "appearance": appearance[entry["appearance_id"]],
                "date": entry["date"],
                "precision": entry["precision"],
                "earliest": _datetime(entry["earliest"]),
                "latest": _datetime(entry["latest"]),
                "overlaps_previous": entry["overlaps_previous"],
            }
            for entry in spread["timeline"]
        ],
    }


# --- View ---------------------------------------------------------------------------------


class ClaimGraphView(APIView):
    @extend_schema(
        operation_id="claims_graph_retrieve",
        summary="A claim's provenance graph, origin, spread and timeline",
        description=(
            "Typed nodes (claim, appearance, source, evidence, capture) and edges as "
            "Cytoscape.js elements: the claim's appearances, the derived-from edges followed "
            "upstream and downstream (into other claims too) up to `depth` hops, the sources "
            "and their parents, evidence and captures, and related claims; then the origin "
            "appearances, the path and time from the origin to each appearance and source, "
            "the first appearance per kind of source, and the timeline (dates known to the "
            "day or month are ranges; nothing precedes what it derives from). Only what the "
            "caller may see: a hidden node is left out with its edges."
        ),
        parameters=[
            GraphQuerySerializer,
            OpenApiParameter("public_id", OpenApiTypes.UUID, OpenApiParameter.PATH),
        ],
        responses={200: ClaimGraphSerializer, **error_responses(400, 404)},
        tags=["claims"],
    )
    def get(self, request, public_id: str) -> Response:
        query = GraphQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        graph = claim_graph(
            public_id=public_id,
            actor=request.user,
            direction=query.validated_data["direction"],
            depth=query.validated_data["depth"],
        )
        return Response(graph_payload(graph))
