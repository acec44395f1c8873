"""A claim's provenance as a W3C PROV document, built from plain data.

`claim_prov_document` takes the provenance graph as dicts (the shape is in its docstring)
and returns a `prov.model.ProvDocument`; `prov_serialize` writes it as PROV-JSON, PROV-N
or PROV-O (Turtle). Mapping:

- sources are agents (`prov:Person` or `prov:Organization` where the kind says so); a
  source with a parent `actedOnBehalfOf` it;
- claims are entities; each appearance is an entity that is a `specializationOf` its
  claim, `wasAttributedTo` its source and generated (no activity) when it was published;
  it `wasQuotedFrom` what it relays when its stance is "quotes", else `wasDerivedFrom`
  it, and `hadPrimarySource` each origin (an appearance with no upstream) it leads back
  to;
- evidence items are entities that influenced the claims they bear on (`prov:type` the
  relation: supports, refutes, context);
- a succeeded capture is an activity that `used` the evidence item and generated the
  preserved copy, an entity named by its SHA-256 (RFC 6920 `nih:sha-256;<hex>`), which
  `wasDerivedFrom` the evidence item through that activity;
- a review decision is an activity `wasAssociatedWith` the editor (a `prov:Person`) that
  `used` the preserved copies it relied on and, when it published, generated the
  published revision (an entity named by its SHA-256, a `specializationOf` the claim);
- claim relations: `same_as` is `alternateOf`, the others `wasInfluencedBy` with the
  relation kind as `prov:type`.
"""

from collections.abc import Iterable
from urllib.parse import quote

from prov.constants import PROV, PROV_TYPE, PROV_VALUE
from prov.model import Literal, Namespace, ProvDocument

# The Claimtrail vocabulary for attributes PROV has no term for. A URN: it names terms,
# it is not a page.
CT = "urn:claimtrail:"
# RFC 6920 "Named Information for Humans": content named by its hash, in hex.
NIH = "nih:sha-256;"

FORMATS = {
    # format → (prov serializer, its keyword arguments, media type)
    "json": ("json", {}, "application/json"),
    "provn": ("provn", {}, "text/provenance-notation"),
    "ttl": ("rdf", {"rdf_format": "turtle"}, "text/turtle"),
}

_PERSON_KINDS = {"person"}
_ORGANIZATION_KINDS = {"organization", "outlet", "government_body"}


def _local(value) -> str:
    """A string usable as the local part of a qualified name in every serialization."""
    return quote(str(value), safe="-_.")


class _Names:
    """The document's namespaces and the qualified names of its records."""

    def __init__(self, document: ProvDocument, *, base_url: str):
        api = f"{base_url.rstrip('/')}/api/"
        self.ct = document.add_namespace("ct", CT)
        self.claim = document.add_namespace("claim", f"{api}claims/")
        self.source = document.add_namespace("source", f"{api}sources/")
        self.appearance = document.add_namespace("appearance", f"{api}appearances/")
        self.evidence = document.add_namespace("evidence", f"{api}evidence/")
        self.capture = document.add_namespace("capture", f"{api}captures/")
        self.review = document.add_namespace("review", "urn:uuid:")
        self.user = document.add_namespace("user", f"{CT}user:")
        self.sha256 = document.add_namespace("sha256", NIH)

    def __call__(self, namespace: Namespace, value) -> object:
        return namespace[_local(value)]


def _attributes(names: _Names, pairs: Iterable[tuple[str, object]]) -> dict:
    """`ct:` attributes for the pairs whose value is set (not None, not "")."""
    return {names.ct[key]: value for key, value in pairs if value not in (None, "")}


def _text(value: str, language: str = "") -> Literal | str:
    return Literal(value, langtag=language) if language else value


def _origins(appearances: dict[str, dict]) -> dict[str, list[str]]:
    """Each appearance's origins: the appearances without upstream (in the graph) that it
    leads back to through derived_from; an origin has none but itself."""
    upstream = {
        key: [str(up) for up in row.get("derived_from", ()) if str(up) in appearances]
        for key, row in appearances.items()
    }
    found: dict[str, list[str]] = {}
    for start in appearances:
        origins: list[str] = []
        seen = {start}
        stack = [start]
        while stack:
            current = stack.pop()
            if not upstream[current] and current != start:
                origins.append(current)
            for up in upstream[current]:
                if up not in seen:
                    seen.add(up)
                    stack.append(up)
        found[start] = sorted(origins, key=lambda key: _order(appearances[key]))
    return found


def _order(row: dict) -> tuple:
    published = row.get("published_at")
    return (published is None, published.isoformat() if published else "", str(row["public_id"]))


def claim_prov_document(*, graph: dict, base_url: str) -> ProvDocument:
    """The PROV document of a claim's provenance graph.

    `graph` holds plain data (public ids as UUIDs or strings; times as aware datetimes):
    - `claims`: [{public_id, text, verdict, review_state}] — the claim and those its
      appearances and relations reach;
    - `sources`: [{public_id, name, kind, country, reliability, state_affiliated, parent}]
      (`parent` a public id or None; parents included);
    - `appearances`: [{public_id, claim, source, stance, quote, quote_language, url,
      published_at, published_precision, derived_from: [public ids]}];
    - `evidence`: [{public_id, kind, url, title, claims: [{claim, relation}]}];
    - `captures`: [{public_id, evidence, method, started_at, finished_at, requested_url,
      final_url, content_type, size, sha256, software_version}] (succeeded ones);
    - `review_events`: [{public_id, claim, actor (a username or None), from_state,
      to_state, to_verdict, comment, created_at, captures: [sha256 …],
      revision_sha256 (or None)}];
    - `relations`: [{public_id, kind, from_claim, to_claim}].
    Records point only at records in the graph: an edge to anything else is left out.
    """
    document = ProvDocument()
    names = _Names(document, base_url=base_url)
    ct = names.ct

    claims = {str(row["public_id"]): row for row in graph.get("claims", ())}
    for key, row in claims.items():
        document.entity(
            names(names.claim, key),
            {
                PROV_TYPE: ct["Claim"],
                "prov:label": row["text"],
                **_attributes(
                    names,
                    [("verdict", row.get("verdict")), ("reviewState", row.get("review_state"))],
                ),
            },
        )

    sources = {str(row["public_id"]): row for row in graph.get("sources", ())}
    for key, row in sources.items():
        attributes = {
            "prov:label": row["name"],
            **_attributes(
                names,
                [
                    ("sourceKind", row.get("kind")),
                    ("country", row.get("country")),
                    ("reliability", row.get("reliability")),
                    ("stateAffiliated", row.get("state_affiliated")),
                ],
            ),
        }
        if row.get("kind") in _PERSON_KINDS:
            attributes[PROV_TYPE] = PROV["Person"]
        elif row.get("kind") in _ORGANIZATION_KINDS:
            attributes[PROV_TYPE] = PROV["Organization"]
        document.agent(names(names.source, key), attributes)
    for key, row in sources.items():
        parent = row.get("parent")
        if parent is not None and str(parent) in sources:
            document.actedOnBehalfOf(names(names.source, key), names(names.source, parent))

    appearances = {str(row["public_id"]): row for row in graph.get("appearances", ())}
    for key, row in sorted(appearances.items(), key=lambda item: _order(item[1])):
        _appearance(document, names, key=key, row=row, claims=claims, sources=sources)
    origins = _origins(appearances)
    for key, row in sorted(appearances.items(), key=lambda item: _order(item[1])):
        name = names(names.appearance, key)
        for upstream in row.get("derived_from", ()):
            if str(upstream) not in appearances:
                continue
            relay = document.wasQuotedFrom if row["stance"] == "quotes" else document.wasDerivedFrom
            relay(name, names(names.appearance, upstream))
        for origin in origins[key]:
            document.hadPrimarySource(name, names(names.appearance, origin))

    evidence = {str(row["public_id"]): row for row in graph.get("evidence", ())}
    for key, row in evidence.items():
        name = names(names.evidence, key)
        document.entity(
            name,
            {
                PROV_TYPE: ct["Evidence"],
                **_attributes(
                    names,
                    [
                        ("evidenceKind", row.get("kind")),
                        ("url", row.get("url")),
                        ("title", row.get("title")),
                    ],
                ),
            },
        )
        for link in row.get("claims", ()):
            if str(link["claim"]) in claims:
                document.wasInfluencedBy(
                    names(names.claim, link["claim"]),
                    name,
                    other_attributes={PROV_TYPE: ct[link["relation"]]},
                )

    copies: set[str] = set()
    for row in graph.get("captures", ()):
        if str(row["evidence"]) not in evidence or not row.get("sha256"):
            continue
        _capture(document, names, row=row, copies=copies)

    for row in graph.get("review_events", ()):
        if str(row["claim"]) in claims:
            _review(document, names, row=row, copies=copies)

    for row in graph.get("relations", ()):
        source, target = str(row["from_claim"]), str(row["to_claim"])
        if source not in claims or target not in claims:
            continue
        if row["kind"] == "same_as":
            document.alternateOf(names(names.claim, source), names(names.claim, target))
        else:
            document.wasInfluencedBy(
                names(names.claim, source),
                names(names.claim, target),
                other_attributes={PROV_TYPE: ct[row["kind"]]},
            )
    return document


def _appearance(document, names: _Names, *, key: str, row: dict, claims: dict, sources: dict):
    name = names(names.appearance, key)
    attributes = {
        PROV_TYPE: names.ct["Appearance"],
        **_attributes(
            names,
            [
                ("stance", row.get("stance")),
                ("url", row.get("url")),
                ("publishedPrecision", row.get("published_at") and row.get("published_precision")),
            ],
        ),
    }
    if row.get("quote"):
        attributes[PROV_VALUE] = _text(row["quote"], row.get("quote_language", ""))
    document.entity(name, attributes)
    if str(row["claim"]) in claims:
        document.specializationOf(name, names(names.claim, row["claim"]))
    if str(row["source"]) in sources:
        document.wasAttributedTo(name, names(names.source, row["source"]))
    if row.get("published_at"):
        document.wasGeneratedBy(name, time=row["published_at"])


def _capture(document, names: _Names, *, row: dict, copies: set[str]) -> None:
    activity = names(names.capture, row["public_id"])
    document.activity(
        activity,
        row.get("started_at") or row.get("finished_at"),
        row.get("finished_at"),
        {
            PROV_TYPE: names.ct["Capture"],
            **_attributes(
                names,
                [
                    ("method", row.get("method")),
                    ("requestedUrl", row.get("requested_url")),
                    ("finalUrl", row.get("final_url")),
                    ("softwareVersion", row.get("software_version")),
                ],
            ),
        },
    )
    evidence = names(names.evidence, row["evidence"])
    copy = names(names.sha256, row["sha256"])
    if row["sha256"] not in copies:
        copies.add(row["sha256"])
        document.entity(
            copy,
            {
                PROV_TYPE: names.ct["PreservedCopy"],
                **_attributes(
                    names,
                    [
                        ("sha256", row["sha256"]),
                        ("contentType", row.get("content_type")),
                        ("size", row.get("size")),
                    ],
                ),
            },
        )
    document.used(activity, evidence)
    document.wasGeneratedBy(copy, activity, row.get("finished_at"))
    document.wasDerivedFrom(copy, evidence, activity)


def _review(document, names: _Names, *, row: dict, copies: set[str]) -> None:
    activity = names(names.review, row["public_id"])
    document.activity(
        activity,
        row["created_at"],
        row["created_at"],
        {
            PROV_TYPE: names.ct["ReviewDecision"],
            **_attributes(
                names,
                [
                    ("fromState", row.get("from_state")),
                    ("toState", row.get("to_state")),
                    ("verdict", row.get("to_verdict")),
                    ("comment", row.get("comment")),
                ],
            ),
        },
    )
    if row.get("actor"):
        editor = names(names.user, row["actor"])
        if not document.get_record(editor):
            document.agent(editor, {PROV_TYPE: PROV["Person"], "prov:label": row["actor"]})
        document.wasAssociatedWith(activity, editor)
    for sha256 in row.get("captures", ()):
        if sha256 in copies:
            document.used(activity, names(names.sha256, sha256))
    if row.get("revision_sha256"):
        revision = names(names.sha256, row["revision_sha256"])
        document.entity(
            revision,
            {PROV_TYPE: names.ct["PublishedRevision"], names.ct["sha256"]: row["revision_sha256"]},
        )
        document.wasGeneratedBy(revision, activity, row["created_at"])
        document.specializationOf(revision, names(names.claim, row["claim"]))


def prov_serialize(document: ProvDocument, *, format: str) -> tuple[str, str]:
    """(text, media type) of the document in `format`: json, provn or ttl."""
    serializer, options, media_type = FORMATS[format]
    return document.serialize(format=serializer, **options), media_type
