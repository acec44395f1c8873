"""`POST /api/auth/token/` and session logins, with the failed-login limiter."""

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.models import User
from django.core.cache import cache
from django.test import RequestFactory
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient
from rest_framework.throttling import ScopedRateThrottle

from claims.models import Claim
from claimtrail.login_throttle import login_retry_after
from tests.factories import ClaimFactory, UserFactory
from tests.waiting import wait_until

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/auth/token/"
BAD_CREDENTIALS = "Unable to log in with provided credentials."


@pytest.fixture(autouse=True)
def _fresh_cache(settings):
    # A fast hasher: these tests log in dozens of times.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def limit(settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 6
    settings.LOGIN_USERNAME_FAILURE_LIMIT = 6
    settings.LOGIN_FAILURE_WINDOW = 300
    return 3


@pytest.fixture
def ana(db):
    return UserFactory(username="ana", roles=["analyst"])  # password "pw-ana"


def _token(username, password, *, ip="192.0.2.1"):
    return APIClient().post(
        TOKEN_URL, {"username": username, "password": password}, format="json", REMOTE_ADDR=ip
    )


def _fail(times, *, username="ana", ip="192.0.2.1"):
    for _ in range(times):
        assert _token(username, "wrong-password", ip=ip).status_code == 400


def test_token_issued_for_good_credentials(ana):
    response = _token("ana", "pw-ana")

    assert response.status_code == 200
    assert response.json() == {"token": Token.objects.get(user=ana).key}


def test_token_is_the_same_on_the_second_request(ana):
    first = _token("ana", "pw-ana").json()["token"]

    assert _token("ana", "pw-ana").json()["token"] == first
    assert Token.objects.filter(user=ana).count() == 1


def test_token_accepts_form_data(ana):
    response = APIClient().post(TOKEN_URL, {"username": "ana", "password": "pw-ana"})

    assert response.status_code == 200


def test_token_rejects_bad_credentials(ana):
    response = _token("ana", "not-it")

    assert response.status_code == 400
    assert response.json() == {
        "detail": BAD_CREDENTIALS,
        "code": "invalid",
        "fields": {"non_field_errors": [BAD_CREDENTIALS]},
    }
    assert not Token.objects.exists()


def test_token_rejects_missing_password(ana):
    response = APIClient().post(TOKEN_URL, {"username": "ana"}, format="json")

    assert response.status_code == 400
    assert response.json()["fields"] == {"password": ["This field is required."]}


def test_token_rejects_a_body_that_is_not_an_object(ana):
    response = APIClient().post(TOKEN_URL, ["ana", "pw-ana"], format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


def test_failures_for_many_usernames_from_one_address_lock_it(ana, limit, settings):
    for n in range(settings.LOGIN_ADDRESS_FAILURE_LIMIT):
        _fail(1, username=f"guess{n}", ip="198.51.100.7")

    response = _token("ana", "pw-ana", ip="198.51.100.7")

    assert response.status_code == 429
    assert response.json() == {
        "detail": "Too many failed login attempts. Try again in 300 seconds.",
        "code": "throttled",
        "fields": {},
    }
    assert response["Retry-After"] == "300"
    assert not Token.objects.exists()
    assert _token("ana", "pw-ana", ip="198.51.100.8").status_code == 200


def test_failures_for_a_username_from_one_address_lock_only_that_address(ana, limit):
    _fail(limit, ip="198.51.100.7")

    refused = _token("ana", "pw-ana", ip="198.51.100.7")
    elsewhere = _token("ana", "pw-ana", ip="198.51.100.8")

    assert refused.status_code == 429
    assert refused["Retry-After"] == "300"
    assert _token("ANA ", "pw-ana", ip="198.51.100.7").status_code == 429
    assert elsewhere.status_code == 200
    assert Token.objects.filter(user=ana).count() == 1


def test_the_default_limits_do_not_let_a_client_lock_out_the_editor(db):
    # Issue 7: five failures from one address locked `editor` out for everyone.
    UserFactory(username="editor", roles=["editor"])
    _fail(5, username="editor", ip="198.51.100.66")

    assert _token("editor", "pw-editor", ip="198.51.100.66").status_code == 429
    assert _token("editor", "pw-editor", ip="192.0.2.10").status_code == 200


def test_a_locked_address_does_not_stop_other_usernames_from_it(ana, limit):
    UserFactory(username="bo", roles=["analyst"])
    _fail(limit, ip="198.51.100.7")

    assert _token("bo", "pw-bo", ip="198.51.100.7").status_code == 200


def test_distributed_guessing_is_slowed_but_the_right_password_still_works(ana, limit, settings):
    for n in range(settings.LOGIN_USERNAME_FAILURE_LIMIT):
        _fail(1, ip=f"203.0.113.{n}")

    # Under attack, a fresh address gets one wrong guess per window, not LOGIN_FAILURE_LIMIT.
    _fail(1, ip="203.0.113.100")
    slowed = _token("ana", "wrong-password", ip="203.0.113.100")
    right_from_fresh_address = _token("ana", "pw-ana", ip="203.0.113.200")

    assert slowed.status_code == 429
    assert slowed["Retry-After"] == "300"
    assert right_from_fresh_address.status_code == 200
    assert Token.objects.filter(user=ana).count() == 1


def test_below_the_username_limit_each_address_gets_the_full_limit(ana, limit, settings):
    for n in range(settings.LOGIN_USERNAME_FAILURE_LIMIT - (limit - 1)):
        _fail(1, ip=f"203.0.113.{n}")

    _fail(limit - 1, ip="203.0.113.100")  # the username's count reaches its limit, not past

    assert _token("ana", "pw-ana", ip="203.0.113.100").status_code == 200


def test_failures_below_the_limit_do_not_lock(ana, limit):
    _fail(limit - 1)

    assert _token("ana", "pw-ana").status_code == 200


def test_a_good_login_clears_the_count_of_its_address(ana, limit):
    _fail(limit - 1, ip="203.0.113.1")
    assert _token("ana", "pw-ana", ip="203.0.113.1").status_code == 200

    _fail(limit - 1, ip="203.0.113.1")

    assert _token("ana", "pw-ana", ip="203.0.113.1").status_code == 200


def test_the_lock_runs_out_after_the_window(ana, limit, settings):
    # Long enough for the failures to count together on a busy machine, short to wait out.
    settings.LOGIN_FAILURE_WINDOW = 3
    _fail(limit)
    assert _token("ana", "pw-ana").status_code == 429

    wait_until(
        lambda: login_retry_after(ip="192.0.2.1", username="ana") == 0,
        "the three-second lock to run out",
        timeout=10,
    )

    assert _token("ana", "pw-ana").status_code == 200


def test_forwarded_for_is_ignored_unless_proxies_are_configured(ana, limit, settings):
    for n in range(settings.LOGIN_ADDRESS_FAILURE_LIMIT):
        response = APIClient().post(
            TOKEN_URL,
            {"username": f"guess{n}", "password": "x"},
            format="json",
            REMOTE_ADDR="192.0.2.50",
            HTTP_X_FORWARDED_FOR=f"10.9.9.{n}",
        )
        assert response.status_code == 400

    assert _token("ana", "pw-ana", ip="192.0.2.50").status_code == 429


def test_token_requests_have_a_rate_limit(ana, monkeypatch):
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"auth": "2/min"})
    assert _token("ana", "pw-ana").status_code == 200
    assert _token("ana", "pw-ana").status_code == 200

    response = _token("ana", "pw-ana")

    assert response.status_code == 429
    assert response.json()["code"] == "throttled"
    assert response.json()["detail"].startswith("Request was throttled.")
    assert "Retry-After" in response


def test_token_rate_limit_ignores_forwarded_for(ana, monkeypatch):
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"auth": "2/min"})
    for n in range(2):
        assert (
            APIClient()
            .post(
                TOKEN_URL,
                {"username": "ana", "password": "pw-ana"},
                format="json",
                HTTP_X_FORWARDED_FOR=f"10.9.9.{n}",
            )
            .status_code
            == 200
        )

    response = APIClient().post(
        TOKEN_URL,
        {"username": "ana", "password": "pw-ana"},
        format="json",
        HTTP_X_FORWARDED_FOR="10.9.9.99",
    )

    assert response.status_code == 429


def test_authenticate_refuses_a_locked_username_even_with_the_right_password(ana, limit):
    request = RequestFactory().post("/", REMOTE_ADDR="192.0.2.77")
    for _ in range(limit):
        assert authenticate(request, username="ana", password="nope") is None

    assert authenticate(request, username="ana", password="pw-ana") is None


def test_admin_login_is_throttled_after_failures(client, limit):
    UserFactory(username="boss", roles=["editor"])
    User.objects.filter(username="boss").update(is_staff=True)
    for _ in range(limit):
        response = client.post(
            "/admin/login/", {"username": "boss", "password": "wrong"}, REMOTE_ADDR="192.0.2.9"
        )
        assert response.status_code == 200  # the form again, with its error

    response = client.post(
        "/admin/login/", {"username": "boss", "password": "pw-boss"}, REMOTE_ADDR="192.0.2.9"
    )

    assert response.status_code == 429
    assert response.content.decode() == "Too many failed login attempts. Try again in 300 seconds."
    assert response["Retry-After"] == "300"
    assert "_auth_user_id" not in client.session


def test_admin_failures_count_towards_the_token_limit(ana, client, limit):
    for _ in range(limit):
        client.post("/admin/login/", {"username": "ana", "password": "x"}, REMOTE_ADDR="192.0.2.3")

    assert _token("ana", "pw-ana", ip="192.0.2.3").status_code == 429
    assert _token("ana", "pw-ana", ip="192.0.2.4").status_code == 200


def test_session_login_works_from_another_address_while_one_is_locked(ana, client, limit):
    _fail(limit, ip="192.0.2.3")

    response = client.post(
        "/api/auth/login/", {"username": "ana", "password": "pw-ana"}, REMOTE_ADDR="192.0.2.4"
    )

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(ana.pk)


def test_api_session_login_works_and_is_throttled(ana, client, limit):
    response = client.post("/api/auth/login/", {"username": "ana", "password": "pw-ana"})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(ana.pk)
    client.logout()

    _fail(limit, ip="127.0.0.1")  # the test client's REMOTE_ADDR
    response = client.post("/api/auth/login/", {"username": "ana", "password": "pw-ana"})

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_token_authenticates_api_requests(ana):
    draft = ClaimFactory(text="A draft only accounts can see")
    token = _token("ana", "pw-ana").json()["token"]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")

    created = client.post("/api/claims/", {"text": "Entered with a token"}, format="json")
    seen = client.get(f"/api/claims/{draft.public_id}/")

    assert created.status_code == 201
    assert Claim.objects.get(text="Entered with a token").created_by == ana
    assert seen.status_code == 200
    assert APIClient().get(f"/api/claims/{draft.public_id}/").status_code == 404
