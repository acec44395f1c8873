"""Personas and shared fixtures (STYLE.md §8)."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.db import connection
from rest_framework.test import APIClient

from tests import schema_check
from tests.factories import UserFactory


def pytest_collection_modifyitems(config, items):
    """Skip tests marked `postgres` when the suite runs on another database (SQLite)."""
    if connection.vendor == "postgresql":
        return
    skip = pytest.mark.skip(reason=f"marked postgres; the database is {connection.vendor}")
    for item in items:
        if item.get_closest_marker("postgres"):
            item.add_marker(skip)


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "schema_unchecked(reason): responses of this test are not checked against the OpenAPI "
        "schema (for requests the schema cannot describe; see tests/schema_check.py)",
    )


@pytest.fixture(autouse=True)
def _responses_match_openapi_schema(request, monkeypatch):
    """Every /api/ response a test receives must be one the schema documents."""
    if request.node.get_closest_marker("schema_unchecked"):
        return
    schema_check.install(monkeypatch, schema_check.session_checker)


@pytest.fixture(autouse=True)
def _fresh_cache_and_fast_hashing(settings):
    """Throttle counters live in the cache: start each test clean. MD5 keeps users cheap."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def viewer(db):
    return UserFactory(username="vera_viewer", roles=["viewer"])


@pytest.fixture
def analyst(db):
    return UserFactory(username="ana_analyst", roles=["analyst"])


@pytest.fixture
def editor(db):
    return UserFactory(username="ed_editor", roles=["editor"])


@pytest.fixture
def anonymous():
    return AnonymousUser()


def _client_for(user) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user=user)
    return client


@pytest.fixture
def anon_client():
    return APIClient()


@pytest.fixture
def viewer_client(viewer):
    return _client_for(viewer)


@pytest.fixture
def analyst_client(analyst):
    return _client_for(analyst)


@pytest.fixture
def editor_client(editor):
    return _client_for(editor)
