"""How Chromium is launched: its sandbox stays on unless the worker is root, and the
start-up notice says whether browser captures are on and why not."""

import logging
import sys

from provenance.capture.browser import isolation as browser_isolation
from provenance.capture.browser import status as browser_status
from provenance.capture.browser.isolation import chromium_args


def test_production_launch_keeps_the_sandbox():
    args = chromium_args(as_root=False)
    assert "--no-sandbox" not in args
    assert not any("sandbox" in arg for arg in args)
    # The network walls are there either way.
    assert "--host-resolver-rules=MAP * ~NOTFOUND" in args
    assert "--webrtc-ip-handling-policy=disable_non_proxied_udp" in args


def test_only_root_gets_no_sandbox():
    assert chromium_args(as_root=True) == [*chromium_args(as_root=False), "--no-sandbox"]


def test_namespace_launcher_maps_the_worker_user_when_not_root(monkeypatch, tmp_path):
    """Mapped to root inside the namespace, Chromium would refuse to start sandboxed."""
    monkeypatch.setattr(browser_isolation, "network_namespaces_available", lambda: True)
    monkeypatch.setattr(browser_isolation, "running_as_root", lambda: False)
    script = browser_isolation.isolated_executable(tmp_path)
    text = (tmp_path / "chromium-netns").read_text()
    assert script == str(tmp_path / "chromium-netns")
    assert "--map-current-user --net" in text
    assert "--map-root-user" not in text


def test_worker_warns_at_start_when_root_runs_chromium_unsandboxed(settings, monkeypatch, caplog):
    settings.CAPTURE_BROWSER_ENABLED = True
    monkeypatch.setattr(browser_status, "running_as_root", lambda: True)
    with caplog.at_level(logging.INFO, logger="provenance.capture.browser.status"):
        browser_status.announce()
    assert "Browser captures are on" in caplog.text
    warning = next(r for r in caplog.records if r.levelno == logging.WARNING)
    assert "--no-sandbox" in warning.getMessage()


def test_no_warning_for_an_unprivileged_worker(settings, monkeypatch, caplog):
    settings.CAPTURE_BROWSER_ENABLED = True
    monkeypatch.setattr(browser_status, "running_as_root", lambda: False)
    with caplog.at_level(logging.INFO, logger="provenance.capture.browser.status"):
        browser_status.announce()
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


def test_notice_when_chromium_is_missing(settings):
    settings.CAPTURE_BROWSER_ENABLED = False
    settings.CAPTURE_BROWSER_PATH = "/nonexistent/chromium"
    notice = browser_status.browser_status().notice()
    assert notice.startswith(
        "Browser captures are off: Chromium is not installed (no executable at "
        "CAPTURE_BROWSER_PATH=/nonexistent/chromium)."
    )
    assert "apt-get install chromium" in notice


def test_notice_when_turned_off(settings):
    settings.CAPTURE_BROWSER_ENABLED = False
    settings.CAPTURE_BROWSER_PATH = sys.executable
    assert browser_status.browser_status().notice() == (
        "Browser captures are off: they are turned off (CAPTURE_BROWSER_ENABLED=false). "
        "To turn them on, set CAPTURE_BROWSER_ENABLED=true and restart."
    )
