"""verify_captures re-hashes stored files and reports tampering and loss."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from provenance.capture.services import capture_run
from tests.factories import EvidenceFactory
from tests.provenance.capture.pipeline_support import (  # noqa: F401
    capture_settings_fixture,
    http_server_fixture,
    jpeg_bytes,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def captured(capture_settings, http_server):
    evidence = EvidenceFactory(url=http_server.route("/p.jpg", jpeg_bytes()))
    capture = evidence.captures.get()
    capture_run(capture_id=capture.pk)
    capture.refresh_from_db()
    assert capture.status == "succeeded"
    return capture


def test_intact_captures_pass(captured, capsys):
    call_command("verify_captures")
    assert "Checked 3 stored files: 0 problem(s)." in capsys.readouterr().out


def test_tampered_blob_is_reported(captured, capture_settings, capsys):
    path = capture_settings.MEDIA_ROOT / captured.blob
    data = bytearray(path.read_bytes())
    data[-10] ^= 0xFF
    path.unlink()  # break the hard link a real edit would not share
    path.write_bytes(bytes(data))

    with pytest.raises(CommandError) as raised:
        call_command("verify_captures")

    assert str(raised.value) == "Checked 3 stored files: 1 problem(s)."
    err = capsys.readouterr().err
    assert f"MISMATCH capture {captured.public_id} blob {captured.blob}" in err
    assert f"expected sha256 {captured.sha256}" in err


def test_missing_warc_is_reported(captured, capture_settings, capsys):
    (capture_settings.MEDIA_ROOT / captured.warc).unlink()

    with pytest.raises(CommandError):
        call_command("verify_captures")

    assert f"MISSING  capture {captured.public_id} WARC {captured.warc}" in capsys.readouterr().err


def test_only_one_evidence_item(captured, capture_settings, capsys):
    (capture_settings.MEDIA_ROOT / captured.warc).unlink()
    other = EvidenceFactory(url="https://example.org/other.jpg")
    call_command("verify_captures", evidence=str(other.public_id))
    assert "Checked 0 stored files: 0 problem(s)." in capsys.readouterr().out


def test_an_evidence_id_that_is_not_a_uuid_is_a_command_error():
    with pytest.raises(CommandError, match="not an evidence UUID"):
        call_command("verify_captures", evidence="not-a-uuid")
