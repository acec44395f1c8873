"""The base of every write serializer: input types as strict as the schema says.

- Text is a JSON string. DRF's CharField would store `{"text": 123}` as "123"; a client
  that sends a number where text belongs has a bug it should hear about.
- In form bodies (multipart, urlencoded) an empty value of a field that is not text (a
  date, an id) is the same as leaving the field out: forms cannot send null, and an empty
  input must not silently clear a stored value on PATCH. JSON null clears it.
"""

from collections.abc import Mapping

from django.http import QueryDict
from rest_framework import serializers
from rest_framework.fields import empty
from rest_framework.settings import api_settings
from rest_framework.utils import html

NOT_A_STRING = serializers.CharField.default_error_messages["invalid"]

EMPTY_FORM_VALUE_HELP = (
    "Null clears it; in a form body an empty value is the same as leaving the field out."
)


def _string_errors(field: serializers.Field, value) -> list | dict | None:
    """Errors for non-string values where `field` takes text, shaped as DRF shapes them."""
    if value is empty or value is None:
        return None
    if isinstance(field, serializers.CharField):
        return None if isinstance(value, str) else [NOT_A_STRING]
    if isinstance(field, serializers.ListField) and isinstance(value, list):
        if not isinstance(field.child, serializers.CharField):
            return None
        errors = {
            index: [NOT_A_STRING]
            for index, item in enumerate(value)
            if item is not None and not isinstance(item, str)
        }
        return errors or None
    return None


def _without_empty_values(data: QueryDict, fields) -> QueryDict:
    """`data` without the non-text nullable fields whose form values are all empty."""
    droppable = {
        field.field_name
        for field in fields
        if field.allow_null and not isinstance(field, serializers.CharField)
    }
    dropped = {
        name
        for name in droppable
        if name in data and all(value == "" for value in data.getlist(name))
    }
    if not dropped:
        return data
    kept = QueryDict(mutable=True)
    for key, values in data.lists():
        if key not in dropped:
            kept.setlist(key, values)
    return kept


class WriteSerializer(serializers.Serializer):
    """Checks types, lengths and choices of a request body (no queries, no domain rules)."""

    def to_internal_value(self, data):
        fields = list(self._writable_fields)
        if html.is_html_input(data):
            data = _without_empty_values(data, fields)
        type_errors = {}
        if isinstance(data, Mapping) and not html.is_html_input(data):
            for field in fields:
                errors = _string_errors(field, data.get(field.field_name, empty))
                if errors:
                    type_errors[field.field_name] = errors
        try:
            validated = super().to_internal_value(data)
        except serializers.ValidationError as exc:
            if not type_errors:
                raise
            detail = exc.detail
            if not isinstance(detail, Mapping):
                detail = {api_settings.NON_FIELD_ERRORS_KEY: detail}
            raise serializers.ValidationError({**detail, **type_errors}) from exc
        if type_errors:
            raise serializers.ValidationError(type_errors)
        return validated
