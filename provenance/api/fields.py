"""Serializer fields for the provenance API's less ordinary inputs."""

from datetime import datetime
from uuid import UUID

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.fields import empty
from rest_framework.utils import html

from claimtrail.api_schema import PARTIAL_DATE_PATTERN
from claimtrail.lib import dates
from claimtrail.parsers import JSONTooDeep, json_loads
from provenance.models import EvidenceRelation

RELATIONS = EvidenceRelation.values


@extend_schema_field(
    {
        "type": "string",
        "nullable": True,
        "pattern": PARTIAL_DATE_PATTERN,
        "description": (
            "`2023` (year), `2023-05` (month), `2023-05-03` (day) or an ISO 8601 date-time "
            "(exact; UTC if no offset). The precision follows from the form unless "
            "`published_precision` is given. Null clears it; in a form body an empty value "
            "is the same as leaving the field out."
        ),
        "example": "2023-05-03T06:40:00Z",
    }
)
class PublishedAtField(serializers.Field):
    """A publication time as precise as the source gave it: (UTC datetime, precision)."""

    default_error_messages = {"invalid": "{message}"}

    def to_internal_value(self, data) -> tuple[datetime, str]:
        if not isinstance(data, str):
            self.fail("invalid", message="Give the date as a string such as 2023-05-03.")
        try:
            return dates.parse_partial(data)
        except ValueError as exc:
            self.fail("invalid", message=str(exc))

    def to_representation(self, value):  # pragma: no cover - input only
        return value


_CLAIM_LINK_SCHEMA = {
    "type": "array",
    "description": (
        "Claims this evidence bears on: claim ids (relation `context`) or objects "
        '`{"claim": id, "relation": "supports" | "refutes" | "context"}`. In multipart '
        "forms, repeat the field or send the whole list as one JSON string."
    ),
    "items": {
        "oneOf": [
            {"type": "string", "format": "uuid"},
            {
                "type": "object",
                "properties": {
                    "claim": {"type": "string", "format": "uuid"},
                    "relation": {"type": "string", "enum": RELATIONS, "default": "context"},
                },
                "required": ["claim"],
                "additionalProperties": False,
            },
        ]
    },
}


class _FormValues(list):
    """The raw values of a form field, parsed in to_internal_value where errors belong."""


@extend_schema_field(_CLAIM_LINK_SCHEMA)
class ClaimLinksField(serializers.Field):
    """A list of claim ids or {"claim", "relation"} objects, as [(UUID, relation), ...]."""

    default_error_messages = {
        "not_a_list": "Give a list of claim ids or of {{claim, relation}} objects.",
        "bad_json": "Not valid JSON: {error}.",
        "too_deep": "{error}",
    }

    def get_value(self, dictionary):
        if not html.is_html_input(dictionary):
            return dictionary.get(self.field_name, empty)
        if self.field_name not in dictionary:
            return empty
        return _FormValues(dictionary.getlist(self.field_name))

    def _from_form(self, values: "_FormValues") -> list:
        """Multipart: repeated fields, each an id or a JSON object, or one JSON list."""
        values = [v.strip() if isinstance(v, str) else v for v in values]
        if len(values) == 1 and isinstance(values[0], str) and values[0][:1] == "[":
            return self._json(values[0])
        return [self._json(v) if isinstance(v, str) and v[:1] == "{" else v for v in values]

    def _json(self, text: str):
        try:
            return json_loads(text)
        except JSONTooDeep as exc:
            self.fail("too_deep", error=exc)
        except ValueError as exc:
            self.fail("bad_json", error=exc.args[0] if exc.args else exc)

    def to_internal_value(self, data) -> list[tuple[UUID, str]]:
        if isinstance(data, _FormValues):
            data = self._from_form(data)
        if not isinstance(data, list):
            self.fail("not_a_list")
        links: list[tuple[UUID, str]] = []
        errors: list[str] = []
        seen: set[UUID] = set()
        for index, item in enumerate(data):
            where = f"claims[{index}]"
            relation = EvidenceRelation.CONTEXT
            if isinstance(item, dict):
                extra = set(item) - {"claim", "relation"}
                if extra:
                    errors.append(f"{where} has unknown keys: {', '.join(sorted(extra))}.")
                    continue
                relation = item.get("relation", relation)
                if relation not in RELATIONS:
                    errors.append(
                        f"{where}.relation must be supports, refutes or context, not “{relation}”."
                    )
                    continue
                item = item.get("claim")
            if not isinstance(item, str):
                errors.append(f"{where} must be a claim id or a {{claim, relation}} object.")
                continue
            try:
                claim_id = UUID(item)
            except ValueError:
                errors.append(f"{where}: “{item}” is not a claim id (a UUID).")
                continue
            if claim_id in seen:
                errors.append(f"{where}: claim {claim_id} is listed twice.")
                continue
            seen.add(claim_id)
            links.append((claim_id, relation))
        if errors:
            raise serializers.ValidationError(errors)
        return links

    def to_representation(self, value):  # pragma: no cover - input only
        return value
