"""Token and login endpoints (being written)."""

urlpatterns: list = []
