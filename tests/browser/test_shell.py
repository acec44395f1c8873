"""The application shell: signing in, the navigation, and signing out."""

import pytest

from tests.browser.conftest import assert_accessible


@pytest.mark.django_db(transaction=True)
def test_anonymous_visitor_is_sent_to_the_login_page_and_can_sign_in(page, live_server, analyst):
    analyst.set_password("pw-analyst-1")
    analyst.save()

    page.goto("/")
    assert "/accounts/login/" in page.url
    assert_accessible(page)
    page.get_by_label("Username").fill(analyst.username)
    page.get_by_label("Password").fill("pw-analyst-1")
    page.get_by_role("button", name="Log in").click()

    page.wait_for_url(f"{live_server.url}/")
    assert page.get_by_role("button", name=f"Log out {analyst.username}").is_visible()


@pytest.mark.django_db(transaction=True)
def test_signed_in_user_logs_out_from_the_header(page, login, viewer):
    login(viewer)
    page.goto("/")

    page.get_by_role("button", name=f"Log out {viewer.username}").click()

    page.wait_for_url("**/accounts/login/")
    page.goto("/")
    assert "/accounts/login/" in page.url
