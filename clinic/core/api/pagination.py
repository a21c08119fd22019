from rest_framework import pagination


class PageNumberPagination(pagination.PageNumberPagination):
    """Default for small lists: ?page=&page_size= (at most 100)."""

    page_size_query_param = "page_size"
    max_page_size = 100


class CursorPagination(pagination.CursorPagination):
    """For large, growing lists (appointments, administrations): stable pages and
    constant cost at any depth. Views set `ordering`."""

    page_size_query_param = "page_size"
    max_page_size = 100
