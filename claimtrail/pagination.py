from django.conf import settings
from rest_framework.pagination import CursorPagination


class CursorPage(CursorPagination):
    """Cursor pagination, newest first by default, with a capped `page_size`."""

    page_size = settings.API_PAGE_SIZE
    max_page_size = settings.API_MAX_PAGE_SIZE
    page_size_query_param = "page_size"
    ordering = ("-created_at", "-id")

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
