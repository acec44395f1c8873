"""capture_run end to end against a real HTTP server on loopback and real PostgreSQL."""

import gzip
import hashlib
import os
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from warcio.archiveiterator import ArchiveIterator

from provenance.capture.services import CaptureRetry, capture_enqueue, capture_run
from provenance.capture.shared import storage
from provenance.models import Capture
from tests.factories import EvidenceFactory
from tests.provenance.capture.pipeline_support import (  # noqa: F401
    PAGE,
    Route,
    capture_settings_fixture,
    http_server_fixture,
    jpeg_bytes,
)

pytestmark = pytest.mark.django_db


def _capture_for(url: str) -> Capture:
    evidence = EvidenceFactory(url=url)
    return evidence.captures.get()


def _run(capture: Capture) -> Capture:
    capture_run(capture_id=capture.pk)
    capture.refresh_from_db()
    return capture


def _warc_types(capture: Capture) -> list[str]:
    with storage.open_warc(capture) as fh:
        return [record.rec_type for record in ArchiveIterator(fh)]


def test_fetch_records_the_chain_of_custody(capture_settings, http_server):
    body = jpeg_bytes((320, 200))
    final = http_server.route("/photo", body, content_type="text/plain", headers=[("X-A", "1")])
    start = http_server.route("/r", status=302, headers=[("Location", "/photo")])
    capture = _capture_for(start)

    capture = _run(capture)

    assert capture.status == Capture.Status.SUCCEEDED
    assert (capture.error_code, capture.error_message) == ("", "")
    assert capture.attempts == 1
    assert capture.requested_url == start
    assert capture.final_url == final
    assert capture.redirect_chain == [
        {"url": start, "status": 302, "location": "/photo", "remote_ip": "127.0.0.1"}
    ]
    assert capture.remote_ip == "127.0.0.1"
    assert capture.http_status == 200
    assert ["X-A", "1"] in capture.http_headers["response"]
    assert any(name == "User-Agent" for name, _ in capture.http_headers["request"])
    # Type from the bytes, the header kept beside it.
    assert capture.content_type == "image/jpeg"
    assert capture.metadata["content_type_detected"] == "image/jpeg"
    assert capture.metadata["content_type_header"] == "text/plain"
    assert capture.size == len(body)
    assert capture.sha256 == hashlib.sha256(body).hexdigest()
    with storage.open_blob(capture) as fh:
        assert fh.read() == body
    with storage.open_warc(capture) as fh:
        assert hashlib.sha256(fh.read()).hexdigest() == capture.warc_sha256
    assert _warc_types(capture) == ["warcinfo", "response", "request", "metadata"]
    assert capture.software_version == "claimtrail/0.1.0"
    assert capture.metadata["software"]["warcio"]
    assert {"ttfb_ms", "total_ms", "store_ms", "warc_ms", "extract_ms"} <= set(capture.timings)
    assert capture.metadata["change"] == "first"
    assert (capture.metadata["width"], capture.metadata["height"]) == (320, 200)
    assert capture.thumbnail.startswith("sha256/")
    assert capture.started_at <= capture.finished_at


def test_gzip_body_is_hashed_decoded_and_archived_as_sent(capture_settings, http_server):
    body = b"<html><head><title>Zipped</title></head><body>" + b"a" * 10000 + b"</body></html>"
    capture = _run(_capture_for(http_server.route("/z", body, gzip=True, content_type="text/html")))

    assert capture.status == Capture.Status.SUCCEEDED
    assert capture.sha256 == hashlib.sha256(body).hexdigest()
    assert capture.metadata["content_encoding"] == "gzip"
    # The test server compresses with mtime 0: with the clock's second in the gzip header,
    # this comparison failed whenever a second began between its compression and this one.
    sent = gzip.compress(body, mtime=0)
    assert capture.metadata["raw_sha256"] == hashlib.sha256(sent).hexdigest()
    assert capture.metadata["title"] == "Zipped"
    with storage.open_warc(capture) as fh:
        response = next(r for r in ArchiveIterator(fh) if r.rec_type == "response")
        assert gzip.decompress(response.raw_stream.read()) == body


def test_recapture_detects_change_and_no_change(capture_settings, http_server, analyst):
    url = http_server.route("/doc", b"version one")
    evidence = EvidenceFactory(url=url)
    first = _run(evidence.captures.get())

    same = _run(capture_enqueue(actor=analyst, evidence=evidence))
    http_server.route("/doc", b"version two, silently edited")
    edited = _run(capture_enqueue(actor=analyst, evidence=evidence))

    assert first.metadata["change"] == "first"
    assert same.metadata["change"] == "unchanged"
    assert "changed_from" not in same.metadata
    assert edited.metadata["change"] == "changed"
    assert edited.metadata["changed_from"] == first.sha256
    assert first.blob == same.blob  # identical bytes stored once


@pytest.mark.parametrize("status", [404, 410])
def test_gone_link_fails_as_gone_with_the_exchange_archived(capture_settings, http_server, status):
    url = http_server.route(
        "/deleted", b"<h1>removed</h1>", status=status, content_type="text/html"
    )
    capture = _run(_capture_for(url))

    assert capture.status == Capture.Status.FAILED
    assert capture.error_code == "gone"
    assert capture.error_message.startswith(f"The link is gone: the server answered {status} ")
    assert capture.http_status == status
    assert capture.attempts == 1
    assert _warc_types(capture) == ["warcinfo", "response", "request", "metadata"]
    assert capture.sha256 == hashlib.sha256(b"<h1>removed</h1>").hexdigest()


def test_forbidden_is_a_permanent_http_error(capture_settings, http_server):
    capture = _run(_capture_for(http_server.route("/private", b"no", status=403)))
    assert capture.status == Capture.Status.FAILED
    assert capture.error_code == "http_error"
    assert "answered 403 Forbidden" in capture.error_message
    assert capture.attempts == 1


def test_transient_status_requeues_then_succeeds(capture_settings, http_server):
    url = http_server.sequence(
        "/flaky", [Route(body=b"busy", status=503), Route(body=b"here it is")]
    )
    capture = _capture_for(url)

    with pytest.raises(CaptureRetry) as raised:
        capture_run(capture_id=capture.pk)
    capture.refresh_from_db()
    assert raised.value.code == "http_error"
    assert capture.status == Capture.Status.QUEUED
    assert capture.metadata["last_error"]["code"] == "http_error"
    assert capture.blob == ""  # nothing stored for an attempt that will be retried

    capture = _run(capture)
    assert capture.status == Capture.Status.SUCCEEDED
    assert capture.attempts == 2
    assert http_server.hits_for("/flaky") == 2


def test_transient_failure_gives_up_at_max_attempts_with_reason(capture_settings, http_server):
    capture_settings.CAPTURE_MAX_ATTEMPTS = 2
    capture = _capture_for(http_server.route("/down", b"busy", status=503))

    with pytest.raises(CaptureRetry):
        capture_run(capture_id=capture.pk)
    capture = _run(capture)

    assert capture.status == Capture.Status.FAILED
    assert capture.error_code == "http_error"
    assert capture.error_message.endswith("(gave up after 2 attempts)")
    assert capture.attempts == 2
    assert capture.warc  # the final exchange is kept as evidence


def test_refused_address_fails_at_once_without_retry(capture_settings, http_server):
    capture_settings.CAPTURE_ALLOWED_NETWORKS = []  # the default: loopback is refused
    capture = _run(_capture_for(http_server.route("/x", b"secret")))

    assert capture.status == Capture.Status.FAILED
    assert capture.error_code == "refused_address"
    assert capture.attempts == 1
    assert http_server.hits == []


def test_timeout_is_retried(capture_settings, http_server):
    capture_settings.CAPTURE_READ_TIMEOUT = 0.3
    url = http_server.route("/slow", b"x" * 10, chunks=10, delay=1.0)
    capture = _capture_for(url)
    with pytest.raises(CaptureRetry) as raised:
        capture_run(capture_id=capture.pk)
    assert raised.value.code == "timeout"
    capture.refresh_from_db()
    assert capture.status == Capture.Status.QUEUED


def test_finished_capture_is_not_run_again(capture_settings, http_server):
    capture = _run(_capture_for(http_server.route("/once", b"once")))
    finished_at = capture.finished_at

    capture = _run(capture)

    assert http_server.hits_for("/once") == 1
    assert capture.attempts == 1
    assert capture.finished_at == finished_at


def test_over_the_attempt_cap_fails_with_the_last_error(capture_settings, http_server):
    capture = _capture_for(http_server.route("/never", b"x"))
    # What a worker crashing on every attempt leaves behind.
    Capture.objects.filter(pk=capture.pk).update(
        attempts=capture_settings.CAPTURE_MAX_ATTEMPTS,
        metadata={"last_error": {"code": "stuck", "message": "The worker died."}},
    )
    capture = _run(capture)

    assert capture.status == Capture.Status.FAILED
    assert capture.error_code == "too_many_attempts"
    assert capture.error_message == (
        f"Gave up after {capture_settings.CAPTURE_MAX_ATTEMPTS} attempts. "
        "The last one said: The worker died."
    )
    assert http_server.hits == []


def test_page_spawns_embedded_media_captures_one_level_deep(
    capture_settings, http_server, django_capture_on_commit_callbacks
):
    page_url = http_server.route("/news/drone", PAGE, content_type="text/html")
    http_server.route("/media/photo.png", jpeg_bytes((100, 80)), content_type="image/jpeg")
    http_server.route(
        "/media/inner.html",
        b'<html><body><img src="/media/photo.png"></body></html>',
        content_type="text/html",
    )
    capture = _capture_for(page_url)

    with django_capture_on_commit_callbacks() as callbacks:
        capture = _run(capture)

    children = list(capture.embedded_captures.order_by("id"))
    assert capture.metadata["title"] == "Drone over the Kremlin"
    assert [c.requested_url for c in children] == capture.metadata["embedded_media"]
    assert len(children) == 5
    assert all(c.status == Capture.Status.QUEUED for c in children)
    assert all(c.evidence_id == capture.evidence_id for c in children)
    assert len(callbacks) == 5  # one task per child, sent after commit
    photo = next(c for c in children if c.requested_url.endswith("/media/photo.png"))

    photo = _run(photo)

    assert photo.status == Capture.Status.SUCCEEDED
    assert photo.parent_id == capture.pk
    assert photo.metadata["change"] == "first"  # compared with its own URL, not the page
    assert not photo.embedded_captures.exists()


def test_child_page_does_not_spawn_grandchildren(capture_settings, http_server):
    page_url = http_server.route(
        "/outer", b'<html><img src="/inner"></html>', content_type="text/html"
    )
    http_server.route(
        "/inner", b'<html><body><img src="/deeper.png"></body></html>', content_type="text/html"
    )
    parent = _run(_capture_for(page_url))
    child = _run(parent.embedded_captures.get())

    assert child.status == Capture.Status.SUCCEEDED
    assert child.metadata["embedded_media"]  # found, recorded...
    assert not child.embedded_captures.exists()  # ...but not captured


def test_upload_is_preserved_archived_and_analysed(capture_settings):
    data = jpeg_bytes((300, 300))
    evidence = EvidenceFactory(url="", file=SimpleUploadedFile("photo.jpg", data))
    capture = evidence.captures.get()
    assert capture.method == Capture.Method.UPLOAD

    capture = _run(capture)

    assert capture.status == Capture.Status.SUCCEEDED
    assert capture.sha256 == hashlib.sha256(data).hexdigest()
    assert capture.content_type == "image/jpeg"
    assert capture.metadata["original_filename"] == "photo.jpg"
    assert capture.thumbnail
    assert _warc_types(capture) == ["warcinfo", "resource", "metadata"]
    assert capture.requested_url == ""


def test_upload_missing_from_storage_fails_with_reason(capture_settings):
    evidence = EvidenceFactory(url="", file=SimpleUploadedFile("gone.bin", b"abc"))
    evidence.file.storage.delete(evidence.file.name)
    capture = _run(evidence.captures.get())
    assert capture.status == Capture.Status.FAILED
    assert capture.error_code == "upload_missing"
    assert capture.error_message == (
        "The uploaded file is no longer in storage; upload it again as new evidence."
    )


@pytest.mark.postgres  # two writers at once: SQLite locks the whole file
@pytest.mark.django_db(transaction=True)
def test_two_workers_racing_for_one_capture_fetch_it_once(capture_settings, http_server):
    """The conditional UPDATE is the guard: without it both threads would fetch."""
    import threading

    from django.db import connection

    # 1.5 s of download: the loser's claim comes while the winner's is still running.
    url = http_server.route("/contended", b"y" * 100, chunks=4, delay=0.5)
    capture = _capture_for(url)
    barrier = threading.Barrier(2)
    errors = []

    def worker():
        try:
            barrier.wait()
            capture_run(capture_id=capture.pk)
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    capture.refresh_from_db()
    assert [type(e).__name__ for e in errors] == ["CaptureBusy"]  # the loser looks again later
    assert http_server.hits_for("/contended") == 1
    assert capture.attempts == 1
    assert capture.status == Capture.Status.SUCCEEDED


def test_result_of_a_superseded_attempt_is_dropped(capture_settings, http_server):
    """A worker whose capture was swept and claimed again must not write its result."""
    from provenance.capture import services

    capture = _capture_for(http_server.route("/late", b"late"))
    stale = services._claim(capture.pk)
    Capture.objects.filter(pk=capture.pk).update(attempts=stale.attempts + 1)  # re-claimed

    services._finish(capture.pk, stale.attempts, failure=("timeout", "stale worker"))

    capture.refresh_from_db()
    assert capture.status == Capture.Status.FETCHING
    assert capture.error_code == ""


def test_capture_held_by_another_attempt_is_busy_until_its_lease_ends(capture_settings):
    from provenance.capture.errors import CaptureBusy
    from provenance.capture.services import _claim

    capture = _capture_for("https://example.org/held.jpg")
    _claim(capture.pk)

    with pytest.raises(CaptureBusy) as raised:
        capture_run(capture_id=capture.pk)

    assert raised.value.retry_in >= capture_settings.CAPTURE_STUCK_AFTER - 2
    assert raised.value.retry_in <= capture_settings.CAPTURE_STUCK_AFTER + 1


def test_capture_whose_worker_died_is_claimed_again_once_its_lease_ends(
    capture_settings, http_server
):
    """A capture left fetching by a dead worker: within its lease it stays busy; after it,
    the next attempt claims it, counts the attempt and records the result."""
    from datetime import timedelta

    from django.utils import timezone

    from provenance.capture.errors import CaptureBusy
    from provenance.capture.services import _claim

    capture = _capture_for(http_server.route("/orphan", b"orphaned bytes"))
    _claim(capture.pk)
    lease = timedelta(seconds=capture_settings.CAPTURE_STUCK_AFTER)
    Capture.objects.filter(pk=capture.pk).update(
        started_at=timezone.now() - lease + timedelta(seconds=30)
    )
    with pytest.raises(CaptureBusy):
        capture_run(capture_id=capture.pk)

    Capture.objects.filter(pk=capture.pk).update(
        started_at=timezone.now() - lease - timedelta(seconds=1)
    )
    capture = _run(capture)

    assert capture.status == Capture.Status.SUCCEEDED
    assert capture.attempts == 2
    assert capture.sha256 == hashlib.sha256(b"orphaned bytes").hexdigest()
    assert timezone.now() - capture.started_at < timedelta(seconds=60)


def test_finished_capture_is_not_claimed_again(capture_settings, http_server):
    capture = _run(_capture_for(http_server.route("/once", b"once")))

    capture_run(capture_id=capture.pk)

    again = Capture.objects.get(pk=capture.pk)
    assert (again.status, again.attempts, again.finished_at) == (
        Capture.Status.SUCCEEDED,
        1,
        capture.finished_at,
    )


def test_timings_keep_the_download_time_beside_the_pipeline_total(capture_settings, http_server):
    """Capture.timings: the fetch's own total as download_ms (it used to be overwritten by
    the pipeline's total_ms), then store, WARC and extract, and total_ms over all of it."""
    url = http_server.route("/slowish", b"x" * 40_000, chunks=4, delay=0.1)  # ≥ 0.3 s

    capture = _run(_capture_for(url))

    timings = capture.timings
    assert capture.status == Capture.Status.SUCCEEDED
    assert timings["download_ms"] >= 250
    assert timings["ttfb_ms"] <= timings["download_ms"]
    # Each figure is rounded on its own (download_ms to 0.1 ms, the rest to 1 ms), so the
    # parts' sum may pass the rounded total by up to half a millisecond a part.
    parts = timings["download_ms"] + timings["store_ms"] + timings["warc_ms"]
    assert timings["total_ms"] >= parts - 1.5


def test_one_capture_takes_a_bounded_number_of_statements(
    capture_settings, http_server, django_assert_max_num_queries
):
    """Claim (update, read) and finish (change check, one fenced update): Django's own
    check-constraint queries are left to PostgreSQL, which enforces the constraints."""
    capture = _capture_for(http_server.route("/few", b"few queries"))

    with django_assert_max_num_queries(8):  # savepoints included
        capture_run(capture_id=capture.pk)

    capture.refresh_from_db()
    assert capture.status == Capture.Status.SUCCEEDED


@pytest.mark.parametrize(
    "fields",
    [
        {"status": "succeeded", "sha256": ""},
        {"status": "failed", "error_code": ""},
        {"status": "done"},
    ],
    ids=["succeeded-without-sha256", "failed-without-reason", "unknown-status"],
)
def test_database_enforces_the_capture_constraints(capture_settings, fields):
    from django.db import IntegrityError, transaction

    capture = _capture_for("https://example.org/constrained.jpg")

    with pytest.raises(IntegrityError), transaction.atomic():
        Capture.objects.filter(pk=capture.pk).update(**fields)


def test_superseded_success_is_dropped_with_its_embedded_media(capture_settings, http_server):
    from provenance.capture import services
    from provenance.capture.shared.outcome import Outcome

    capture = _capture_for(http_server.route("/late-page", PAGE, content_type="text/html"))
    stale = services._claim(capture.pk)
    Capture.objects.filter(pk=capture.pk).update(attempts=stale.attempts + 1)  # re-claimed
    outcome = Outcome(
        fields={"sha256": "0" * 64, "size": 1, "metadata": {"title": "late"}},
        embedded_media=["https://example.org/photo.jpg"],
    )

    services._finish(capture.pk, stale.attempts, outcome=outcome, claimed=stale)

    capture.refresh_from_db()
    assert capture.status == Capture.Status.FETCHING
    assert capture.sha256 == ""
    assert not capture.embedded_captures.exists()


def test_missing_work_dir_is_created(capture_settings, http_server, tmp_path):
    capture_settings.CAPTURE_WORK_DIR = str(tmp_path / "not" / "yet" / "there")
    url = http_server.route("/file.bin", b"some bytes")

    capture = _run(_capture_for(url))

    assert capture.status == Capture.Status.SUCCEEDED, capture.error_message
    assert capture.sha256 == hashlib.sha256(b"some bytes").hexdigest()


def test_unusable_work_dir_requeues_with_its_reason(capture_settings, http_server, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_bytes(b"")
    capture_settings.CAPTURE_WORK_DIR = str(blocker / "work")  # cannot be created
    capture = _capture_for(http_server.route("/x", b"x"))

    with pytest.raises(CaptureRetry) as raised:
        capture_run(capture_id=capture.pk)

    capture.refresh_from_db()
    assert raised.value.code == "internal_error"
    assert capture.status == Capture.Status.QUEUED
    assert capture.metadata["last_error"]["code"] == "internal_error"
    assert http_server.hits == []


def test_unusable_work_dir_on_the_last_attempt_fails_with_its_reason(
    capture_settings, http_server, tmp_path
):
    blocker = tmp_path / "a-file"
    blocker.write_bytes(b"")
    capture_settings.CAPTURE_WORK_DIR = str(blocker / "work")
    capture_settings.CAPTURE_MAX_ATTEMPTS = 1
    capture = _run(_capture_for(http_server.route("/x", b"x")))

    assert capture.status == Capture.Status.FAILED
    assert capture.error_code == "internal_error"
    assert capture.error_message.endswith("(gave up after 1 attempts)")


def test_error_recording_the_result_is_recorded_with_its_reason(
    capture_settings, http_server, monkeypatch
):
    def broken(capture, sha256):
        raise RuntimeError("comparison failed")

    monkeypatch.setattr("provenance.capture.services.change_since_previous", broken)
    capture_settings.CAPTURE_MAX_ATTEMPTS = 1
    capture = _run(_capture_for(http_server.route("/x", b"x")))

    assert capture.status == Capture.Status.FAILED
    assert capture.error_code == "internal_error"
    assert "comparison failed" in capture.error_message


def test_claim_returns_the_row_as_written_with_fields_decoded(capture_settings):
    """The claim reads its row back from the UPDATE itself: JSON decoded, times aware, the
    attempt counted, as a queryset would give them."""
    from django.utils import timezone

    from provenance.capture.services import _claim

    capture = _capture_for("https://example.org/claimed.pdf")
    Capture.objects.filter(pk=capture.pk).update(
        metadata={"last_error": {"code": "timeout", "attempt": 1}}, attempts=1
    )
    before = timezone.now()

    claimed = _claim(capture.pk)

    assert claimed == capture
    assert claimed.status == Capture.Status.FETCHING
    assert claimed.attempts == 2
    assert claimed.metadata == {"last_error": {"code": "timeout", "attempt": 1}}
    assert claimed.redirect_chain == []
    assert before <= claimed.started_at <= timezone.now()
    assert claimed.created_at == capture.created_at
    assert (claimed.evidence_id, claimed.public_id) == (capture.evidence_id, capture.public_id)
    assert _claim(capture.pk) is None  # fetching, lease running: not claimable


def _resident_pages(path) -> int:
    """Pages of the file at `path` held in the page cache (mincore(2) over a mapping that
    is never touched, so mapping it reads nothing in)."""
    import ctypes
    import mmap
    import os

    libc = ctypes.CDLL(None, use_errno=True)
    libc.mmap.restype = ctypes.c_void_p
    libc.mmap.argtypes = [
        ctypes.c_void_p,
        ctypes.c_size_t,
        ctypes.c_int,
        ctypes.c_int,
        ctypes.c_int,
        ctypes.c_long,
    ]
    libc.mincore.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_void_p]
    libc.munmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
    size = path.stat().st_size
    fd = os.open(path, os.O_RDONLY)
    try:
        address = libc.mmap(None, size, mmap.PROT_READ, mmap.MAP_SHARED, fd, 0)
        assert address not in (None, ctypes.c_void_p(-1).value), ctypes.get_errno()
        pages = (size + mmap.PAGESIZE - 1) // mmap.PAGESIZE
        vector = (ctypes.c_ubyte * pages)()
        assert libc.mincore(address, size, vector) == 0, ctypes.get_errno()
        libc.munmap(address, size)
    finally:
        os.close(fd)
    return sum(page & 1 for page in vector)


@pytest.mark.skipif(not hasattr(os, "posix_fadvise"), reason="no posix_fadvise here")
def test_stored_files_leave_the_page_cache_once_the_capture_is_done(
    capture_settings, http_server, tmp_path
):
    """Left cached, each capture's writes took fresh pages, the slow kind on a VM."""
    written = tmp_path / "control"
    with open(written, "wb") as fh:
        fh.write(b"x" * 1024 * 1024)
        fh.flush()
        os.fsync(fh.fileno())
    if _resident_pages(written) == 0:
        pytest.skip("this filesystem does not keep written pages cached")
    body = bytes(range(256)) * 8192  # 2 MiB
    capture = _run(_capture_for(http_server.route("/big.bin", body)))

    assert capture.status == Capture.Status.SUCCEEDED
    storage_root = storage.capture_storage()
    for name in (capture.blob, capture.warc):
        path = storage_root.path(name)
        assert _resident_pages(Path(path)) == 0, name
    with storage.open_blob(capture) as fh:  # still all there, read back from the disk
        assert hashlib.sha256(fh.read()).hexdigest() == capture.sha256


def test_releasing_cached_pages_passes_over_missing_and_unnamed_files(capture_settings):
    storage.release_cached_pages(["", "sha256/00/00/" + "0" * 64])
