from django.conf import settings
from rest_framework.pagination import CursorPagination


class CursorPage(CursorPagination):
    """Cursor pagination, newest first by default, with a capped `page_size`."""

    page_size = settings.API_PAGE_SIZE
    max_page_size = settings.API_MAX_PAGE_SIZE
    page_size_query_param = "page_size"
    ordering = ("-created_at", "-id")
