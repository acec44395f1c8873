"""Fixtures for this app's tests."""

import pytest


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Every factory call re-hashes the factory editor's password; PBKDF2 costs ~0.3 s each.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
