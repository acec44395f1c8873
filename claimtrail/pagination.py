from django.conf import settings
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import CursorPagination


class CursorPage(CursorPagination):
    """Cursor pagination, newest first by default, with a capped `page_size`.

    A `page_size` outside 1–API_MAX_PAGE_SIZE and a cursor this API did not hand out are
    400s naming the parameter, not silently replaced by the default.
    """

    page_size = settings.API_PAGE_SIZE
    max_page_size = settings.API_MAX_PAGE_SIZE
    page_size_query_param = "page_size"
    page_size_query_description = (
        f"Results per page, 1–{settings.API_MAX_PAGE_SIZE} (default {settings.API_PAGE_SIZE})."
    )
    invalid_cursor_message = "Invalid cursor."
    ordering = ("-created_at", "-id")

    def get_page_size(self, request) -> int:
        value = request.query_params.get(self.page_size_query_param)
        if value is None:
            return self.page_size
        value = value.strip()
        if not (value.isascii() and value.isdigit() and 1 <= int(value) <= self.max_page_size):
            message = f"Give a whole number from 1 to {self.max_page_size}."
            raise ValidationError({self.page_size_query_param: [message]})
        return int(value)

    def decode_cursor(self, request):
        try:
            return super().decode_cursor(request)
        except NotFound as exc:
            raise ValidationError({self.cursor_query_param: [self.invalid_cursor_message]}) from exc

    def get_schema_operation_parameters(self, view):
        """`page_size` with the bounds the API enforces (a 400 outside them)."""
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"] = {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": self.max_page_size,
                }
        return parameters

    def get_paginated_response_schema(self, schema):
        """The envelope as sent: `next` and `previous` are always there, null at either end."""

        def link(description: str) -> dict:
            return {
                "type": "string",
                "format": "uri",
                "nullable": True,
                "description": description,
                "example": f"https://claimtrail.example/api/claims/?{self.cursor_query_param}=cD0y",
            }

        return {
            "type": "object",
            "required": ["next", "previous", "results"],
            "properties": {
                "next": link("The next page; null on the last."),
                "previous": link("The previous page; null on the first."),
                "results": schema,
            },
        }
