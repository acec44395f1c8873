"""`ordering` for the API's lists: an unknown field is a 400 listing the allowed ones."""

import re

from rest_framework.exceptions import ValidationError
from rest_framework.filters import OrderingFilter


def ordering_error(param: str, choices: list[str]) -> ValidationError:
    return ValidationError({param: [f"Use one of {', '.join(choices)}."]})


class StrictOrderingFilter(OrderingFilter):
    """DRF's OrderingFilter, refusing what it would silently drop.

    `ordering` takes the view's `ordering_fields`, each optionally prefixed with - for
    descending, comma-separated.
    """

    def choices(self, queryset, view, request) -> list[str]:
        fields = [name for name, _ in self.get_valid_fields(queryset, view, {"request": request})]
        return [f"{sign}{name}" for name in fields for sign in ("", "-")]

    def remove_invalid_fields(self, queryset, fields, view, request):
        choices = self.choices(queryset, view, request)
        terms = [term for term in fields if term]
        if not terms or any(term not in choices for term in terms):
            raise ordering_error(self.ordering_param, choices)
        return terms

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        fields = getattr(view, "ordering_fields", None)
        if isinstance(fields, list | tuple):
            one = f"-?({'|'.join(re.escape(field) for field in fields)})"
            for parameter in parameters:
                parameter["description"] = (
                    f"Sort by {', '.join(fields)}; prefix with - for descending, "
                    "comma-separate several."
                )
                parameter["schema"] = {"type": "string", "pattern": f"^{one}(,{one})*$"}
        return parameters
