"""`manage.py demo_accounts`: one account per role in DEBUG, none otherwise."""

import re
from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.models import User
from django.core.management import call_command
from rest_framework.authtoken.models import Token

from claimtrail.roles import user_roles
from tests.factories import ClaimFactory

pytestmark = pytest.mark.django_db

LINE = re.compile(r"^\s+(\w+)\s+username (\w+)\s+password (\S+)\s+token (\w+)$", re.MULTILINE)


def _run() -> str:
    out = StringIO()
    call_command("demo_accounts", stdout=out)
    return out.getvalue()


def _printed(output: str) -> dict[str, tuple[str, str]]:
    return {username: (password, token) for _, username, password, token in LINE.findall(output)}


def test_debug_creates_one_account_per_role_and_prints_passwords(settings):
    settings.DEBUG = True

    output = _run()

    printed = _printed(output)
    assert set(printed) == {"viewer", "analyst", "editor"}
    for username, (password, token) in printed.items():
        user = authenticate(username=username, password=password)
        assert user is not None
        assert Token.objects.get(user=user).key == token
    assert user_roles(User.objects.get(username="viewer")) == {"viewer"}
    assert user_roles(User.objects.get(username="analyst")) == {"viewer", "analyst"}
    assert user_roles(User.objects.get(username="editor")) == {"viewer", "analyst", "editor"}
    assert "/accounts/login/, then the application at http" in output
    assert "/api/auth/token/" in output


def test_second_run_sets_new_passwords_and_keeps_one_account_per_role(settings):
    settings.DEBUG = True
    first = _printed(_run())

    second = _printed(_run())

    assert User.objects.filter(username__in=["viewer", "analyst", "editor"]).count() == 3
    assert first["editor"][0] != second["editor"][0]
    assert authenticate(username="editor", password=first["editor"][0]) is None
    assert authenticate(username="editor", password=second["editor"][0]) is not None
    assert first["editor"][1] == second["editor"][1]  # the token is kept


def test_existing_account_gets_exactly_its_role(settings):
    settings.DEBUG = True
    _run()
    User.objects.get(username="viewer").groups.add(
        *User.objects.get(username="editor").groups.all()
    )

    _run()

    assert user_roles(User.objects.get(username="viewer")) == {"viewer"}


def test_without_debug_creates_none_and_says_so(settings):
    settings.DEBUG = False

    output = _run()

    assert "No demo accounts created. DEBUG is off" in output
    assert not User.objects.filter(username__in=["viewer", "analyst", "editor"]).exists()


def test_the_demo_editor_can_use_the_admin_and_claims_stay_read_only(settings, client):
    settings.DEBUG = True
    printed = _printed(_run())
    claim = ClaimFactory(text="Drone over the Kremlin")

    login = client.post(
        "/admin/login/?next=/admin/", {"username": "editor", "password": printed["editor"][0]}
    )
    index = client.get("/admin/")
    claim_page = client.get(f"/admin/claims/claim/{claim.pk}/change/")
    source_add = client.get("/admin/sources/source/add/")
    users = client.get("/admin/auth/user/")

    assert login.status_code == 302
    assert login["Location"] == "/admin/"
    assert index.status_code == 200
    assert claim_page.status_code == 200
    assert "Drone over the Kremlin" in claim_page.content.decode()
    assert b'name="_save"' not in claim_page.content
    assert source_add.status_code == 200
    assert users.status_code == 403


@pytest.mark.parametrize("username", ["viewer", "analyst"])
def test_the_other_demo_accounts_are_not_staff(settings, client, username):
    settings.DEBUG = True
    printed = _printed(_run())

    response = client.post(
        "/admin/login/?next=/admin/", {"username": username, "password": printed[username][0]}
    )

    assert response.status_code == 200  # the login form again, with its error
    assert "_auth_user_id" not in client.session
    assert not User.objects.get(username=username).is_staff
    assert not User.objects.get(username=username).user_permissions.exists()


def test_the_command_says_who_may_use_the_admin(settings):
    settings.DEBUG = True

    output = _run()

    assert "/admin/ as editor (claims are read-only there" in output


def test_the_printed_login_address_signs_in_to_the_application(settings, client):
    settings.DEBUG = True
    output = _run()
    printed = _printed(output)
    login_url = re.search(r"Log in \(browser\):\s+\S*?(/accounts/login/)", output).group(1)

    response = client.post(login_url, {"username": "analyst", "password": printed["analyst"][0]})

    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/").status_code == 200
