"""manage.py prune_orphan_files: report stored files nothing references; --delete removes
them, never a referenced one and never one changed recently."""

import os
import time
import uuid

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from provenance.capture import retention
from provenance.capture.shared.storage import blob_name
from tests.provenance.capture.pipeline_support import capture_settings_fixture  # noqa: F401
from tests.provenance.retention_support import captured_upload, files_of, stored

pytestmark = pytest.mark.django_db

HOUR = 3600


def _orphan(name: str, content: bytes, *, age_seconds: int):
    path = stored(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    then = time.time() - age_seconds
    os.utime(path, (then, then))
    return path


@pytest.fixture
def media(capture_settings):
    _, capture = captured_upload()
    old = _orphan(blob_name("ab" * 32), b"old orphan", age_seconds=2 * HOUR)
    young = _orphan(blob_name("cd" * 32), b"young", age_seconds=60)
    upload = _orphan(f"uploads/{uuid.uuid4()}/left.jpg", b"left behind", age_seconds=2 * HOUR)
    for name in files_of(capture):  # referenced, however old
        os.utime(stored(name), (time.time() - 5 * HOUR,) * 2)
    return capture, old, young, upload


def test_report_lists_old_orphans_and_removes_nothing(media, capsys):
    capture, old, young, upload = media

    call_command("prune_orphan_files")

    out = capsys.readouterr().out
    assert f"ORPHAN captures {blob_name('ab' * 32)} (10 bytes, changed " in out
    assert f"ORPHAN uploads {upload.relative_to(upload.parents[2]).as_posix()} (11 bytes" in out
    assert "cd" * 32 not in out
    for name in files_of(capture):
        assert name not in out
    assert "Found 2 orphaned file(s), 21 bytes. Run with --delete to remove them." in out
    assert old.exists() and young.exists() and upload.exists()


def test_delete_removes_old_orphans_only(media, capsys):
    capture, old, young, upload = media

    call_command("prune_orphan_files", delete=True)

    assert "Found 2 orphaned file(s), 21 bytes. Removed 2." in capsys.readouterr().out
    assert not old.exists() and not upload.exists()
    assert not upload.parent.exists()
    assert young.exists()
    assert all(stored(name).exists() for name in files_of(capture))


def test_min_age_zero_takes_recent_orphans_too_but_never_a_referenced_file(media, capsys):
    capture, _, young, _ = media

    call_command("prune_orphan_files", delete=True, min_age=0)

    assert "Found 3 orphaned file(s), 26 bytes. Removed 3." in capsys.readouterr().out
    assert not young.exists()
    assert all(stored(name).exists() for name in files_of(capture))


def test_a_file_reused_between_scan_and_removal_is_kept(media, monkeypatch, capsys):
    """The removal checks again: a capture that started using a reported file keeps it."""
    _, old, _, upload = media

    found = retention.orphan_files_find

    def find_then_reuse(**kwargs):
        orphans = found(**kwargs)
        os.utime(old)  # a capture storing these bytes reuses the file
        return orphans

    monkeypatch.setattr(
        "provenance.management.commands.prune_orphan_files.orphan_files_find", find_then_reuse
    )

    call_command("prune_orphan_files", delete=True)

    out = capsys.readouterr().out
    assert "Removed 1. 1 kept: referenced or changed since the scan." in out
    assert old.exists()
    assert not upload.exists()


def test_nothing_to_report(capture_settings, capsys):
    call_command("prune_orphan_files")
    assert capsys.readouterr().out == "Found 0 orphaned file(s), 0 bytes.\n"


def test_negative_min_age_is_a_command_error(capture_settings):
    with pytest.raises(CommandError) as raised:
        call_command("prune_orphan_files", min_age=-1)
    assert str(raised.value) == "--min-age: give a number of minutes, 0 or more."
