"""`GET /api/claims/{id}/package/`: a WACZ that `wacz validate` accepts and pywb replays,
with the claim's records and a verification script that names what was changed."""

import io
import json
import os
import subprocess
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from claims.exports import verify_package
from claims.exports.package import MISSING_WARC, ROOT, VERIFY_FILES
from claims.models import ReviewEvent
from claims.services import claim_review
from provenance.capture.services import capture_run
from provenance.capture.shared.storage import capture_storage
from provenance.models import Capture
from tests.claims.conftest import make_succeeded_capture
from tests.factories import ClaimFactory, EvidenceFactory
from tests.provenance.capture.pipeline_support import (  # noqa: F401
    capture_settings_fixture,
    http_server_fixture,
    jpeg_bytes,
)
from tests.replay.support import pywb_replay, replay_venv, sha256

pytestmark = pytest.mark.django_db

TEXT = b"The minister said so on Tuesday.\n" * 40
BINARY = os.urandom(300 * 1024)
PHOTO = jpeg_bytes((120, 80))
# The system interpreter, no project packages: the script must need only the stdlib.
PYTHON3 = "/usr/bin/python3" if os.access("/usr/bin/python3", os.X_OK) else "python3"


def _fetched(http_server, claim, editor, path: str, body: bytes, content_type: str):
    url = http_server.route(path, body, content_type=content_type)
    evidence = EvidenceFactory(actor=editor, claims=[claim], url=url, kind="document")
    capture = evidence.captures.get(method=Capture.Method.FETCH, parent=None)
    capture_run(capture_id=capture.pk)
    capture.refresh_from_db()
    assert capture.status == Capture.Status.SUCCEEDED, capture.error_message
    return capture


def _uploaded(claim, editor, name: str, data: bytes) -> str:
    evidence = EvidenceFactory(
        actor=editor, claims=[claim], url="", file=SimpleUploadedFile(name, data)
    )
    capture = evidence.captures.get()
    capture_run(capture_id=capture.pk)
    capture.refresh_from_db()
    assert capture.status == Capture.Status.SUCCEEDED, capture.error_message
    return f"urn:claimtrail:upload:{evidence.public_id}/{name}"


@pytest.fixture
def published(capture_settings, http_server, editor):
    """A claim with two fetched evidence items and an upload, reviewed and published;
    with the bytes captured at each URL."""
    claim = ClaimFactory(actor=editor)
    text = _fetched(http_server, claim, editor, "/statement.txt", TEXT, "text/plain")
    binary = _fetched(http_server, claim, editor, "/report.bin", BINARY, "application/pdf")
    upload = _uploaded(claim, editor, "photo.jpg", PHOTO)
    claim_review(claim=claim, actor=editor, to_state="in_review", comment="Ready.")
    claim_review(claim=claim, actor=editor, to_state="published", verdict="refuted")
    claim.refresh_from_db()
    return claim, {text.final_url: TEXT, binary.final_url: BINARY, upload: PHOTO}


def _download(client, claim, tmp_path: Path) -> Path:
    response = client.get(f"/api/claims/{claim.public_id}/package/")
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == "application/zip"
    tmp_path.mkdir(parents=True, exist_ok=True)
    path = tmp_path / "package.wacz"
    path.write_bytes(b"".join(response.streaming_content))
    return path


def _unzip(path: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "unzipped"
    with zipfile.ZipFile(path) as zf:
        zf.extractall(folder)
    return folder


def _verify(folder: Path) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 (the script the package ships, fixed arguments)
        [PYTHON3, "verify/verify.py"],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin"},
    )


def _wacz_validate(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 (the replay venv's py-wacz, fixed arguments)
        [str(replay_venv() / "wacz"), "validate", "-f", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_package_is_a_wacz_that_validates_and_replays_the_captured_bytes(
    published, anon_client, tmp_path
):
    claim, bodies = published
    path = _download(anon_client, claim, tmp_path)

    validated = _wacz_validate(path)
    assert validated.returncode == 0, validated.stdout + validated.stderr
    assert "Validation succeeded" in validated.stdout
    replayed = pywb_replay([path], list(bodies), tmp_path / "pywb")
    assert {url: replayed[url]["sha256"] for url in bodies} == {
        url: sha256(body) for url, body in bodies.items()
    }

    folder = _unzip(path, tmp_path)
    datapackage = json.loads((folder / "datapackage.json").read_text())
    listed = {resource["path"] for resource in datapackage["resources"]}
    assert {
        "indexes/index.cdx",
        "pages/pages.jsonl",
        "records/prov.json",
        "records/claimreview.json",
        "records/revision.json",
        "records/review-log.json",
        "records/package.json",
        *VERIFY_FILES,
    } <= listed
    assert len([name for name in listed if name.startswith("archive/")]) == 3
    for name, source in VERIFY_FILES.items():  # one source of truth: the project's files
        assert (folder / name).read_bytes() == source.read_bytes()
        assert source.is_relative_to(ROOT)
    pages = [json.loads(line) for line in (folder / "pages/pages.jsonl").read_text().splitlines()]
    assert {page["url"] for page in pages[1:]} == set(bodies)
    index = (folder / "indexes/index.cdx").read_text()
    assert "metadata://claimtrail/capture/" in index  # indexed, but apart from the pages
    record = json.loads((folder / "records/package.json").read_text())
    assert record["holds"] == "published revision"
    assert record["revision"]["sha256"] == claim.published_revision.sha256
    assert not (folder / "records/working.json").exists()
    claimreview = json.loads((folder / "records/claimreview.json").read_text())
    assert claimreview["reviewRating"]["alternateName"] == "Refuted"

    # One changed byte in a WARC and the validator refuses the package.
    with zipfile.ZipFile(path) as zf:
        entries = {info.filename: zf.read(info) for info in zf.infolist()}
    warc = next(name for name in entries if name.startswith("archive/"))
    entries[warc] = entries[warc][:-1] + bytes([entries[warc][-1] ^ 1])
    tampered = tmp_path / "tampered.wacz"
    with zipfile.ZipFile(tampered, "w") as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    assert _wacz_validate(tampered).returncode != 0


def test_verify_script_passes_then_names_the_changed_file_and_review_event(
    published, anon_client, tmp_path
):
    claim, _ = published
    folder = _unzip(_download(anon_client, claim, tmp_path), tmp_path)

    intact = _verify(folder)
    assert intact.returncode == 0, intact.stdout + intact.stderr
    assert intact.stdout.startswith("OK: ")
    assert verify_package.verify(folder) == []  # the same module, imported in the project

    prov = folder / "records/prov.json"
    prov.write_text(prov.read_text().replace("refuted", "supported"))
    log_path = folder / "records/review-log.json"
    log = json.loads(log_path.read_text())
    first = log["events"][0]
    first["comment"] = "Ready, and no doubt about it."
    log_path.write_text(json.dumps(log))
    tampered = _verify(folder)

    assert tampered.returncode == 1
    changed = [line for line in tampered.stdout.splitlines() if line.startswith("CHANGED")]
    assert changed == [
        "CHANGED  records/prov.json: its SHA-256 is not the one datapackage.json lists",
        "CHANGED  records/review-log.json: its SHA-256 is not the one datapackage.json lists",
        f"CHANGED  records/review-log.json: claim {claim.public_id}: review event "
        f"{first['public_id']} does not match its SHA-256 {first['sha256']}: it was changed "
        "after it was recorded",
    ]


def test_an_event_edited_in_the_database_is_reported_by_the_command_and_the_package(
    published, anon_client, tmp_path, capsys
):
    claim, _ = published
    first = ReviewEvent.objects.filter(claim=claim).order_by("created_at", "id").first()
    with connection.cursor() as cursor:  # behind the application's back
        sql = "UPDATE {table} SET comment = %s WHERE id = %s"
        cursor.execute(sql.format(table=ReviewEvent._meta.db_table), ["Never reviewed.", first.pk])

    with pytest.raises(CommandError):
        call_command("verify_review_log")
    assert str(first.public_id) in capsys.readouterr().err
    folder = _unzip(_download(anon_client, claim, tmp_path), tmp_path)
    verified = _verify(folder)

    assert verified.returncode == 1
    assert verified.stdout.splitlines()[0] == (
        f"CHANGED  records/review-log.json: claim {claim.public_id}: review event "
        f"{first.public_id} does not match its SHA-256 {first.sha256}: it was changed after "
        "it was recorded"
    )


def test_anonymous_callers_get_published_claims_only_viewers_the_working_copy(
    published, anon_client, viewer_client, editor, tmp_path
):
    claim, _ = published
    draft = ClaimFactory(actor=editor)
    assert anon_client.get(f"/api/claims/{draft.public_id}/package/").status_code == 404
    assert anon_client.get("/api/claims/not-an-id/package/").status_code == 404

    folder = _unzip(_download(viewer_client, draft, tmp_path / "draft"), tmp_path / "draft")
    record = json.loads((folder / "records/package.json").read_text())
    assert record["holds"] == "working copy"
    assert record["revision"] is None
    assert json.loads((folder / "records/working.json").read_text())["review_state"] == "draft"
    assert not (folder / "records/claimreview.json").exists()
    assert _verify(folder).returncode == 0

    folder = _unzip(_download(viewer_client, claim, tmp_path / "pub"), tmp_path / "pub")
    assert (folder / "records/working.json").exists()
    assert (folder / "records/revision.json").exists()
    assert len(json.loads((folder / "records/package.json").read_text())["captures"]) == 3


# Queries at 3 captures and at 31, by caller. Anonymous (14): the published detail (claim
# + revision, evidence with latest captures, related claims' texts, review events), the
# stored revision, the claim's id, the PROV graph's (claim, appearance graph, evidence
# links, captures, relations, quotes, capture custody, review events), the captures to
# archive, the review log (one cursor). A viewer (VIEWER_QUERIES): the session's user,
# the working detail (five) and its revision instead, plus the published detail (four)
# for the ClaimReview.
ANONYMOUS_QUERIES = 14
VIEWER_QUERIES = 20


@pytest.mark.parametrize("extra", [0, 28])
@pytest.mark.parametrize("role", ["anonymous", "viewer"])
def test_package_query_count_does_not_grow_with_the_evidence(
    published, anon_client, viewer_client, editor, extra, role, django_assert_max_num_queries
):
    claim, _ = published
    stored = Capture.objects.filter(evidence__claim_links__claim=claim).first()
    for _ in range(extra):
        evidence = EvidenceFactory(actor=editor, claims=[claim])
        capture = make_succeeded_capture(evidence)
        Capture.objects.filter(pk=capture.pk).update(
            warc=stored.warc, warc_sha256=stored.warc_sha256
        )
    if extra:
        claim_review(claim=claim, actor=editor, to_state="published", verdict="misleading")
    client = anon_client if role == "anonymous" else viewer_client
    limit = ANONYMOUS_QUERIES if role == "anonymous" else VIEWER_QUERIES

    with django_assert_max_num_queries(limit):
        response = client.get(f"/api/claims/{claim.public_id}/package/")
        assert response.status_code == 200
        body = b"".join(response.streaming_content)
    with zipfile.ZipFile(io.BytesIO(body)) as zf:
        archived = [name for name in zf.namelist() if name.startswith("archive/")]
    assert len(archived) == 3 + extra


def test_review_history_shows_each_events_chain_link(published, viewer_client):
    claim, _ = published
    body = viewer_client.get(f"/api/claims/{claim.public_id}/").json()

    events = body["review_events"]
    stored = ReviewEvent.objects.filter(claim=claim).order_by("created_at", "id")
    assert [(e["sha256"], e["previous_sha256"]) for e in events] == [
        (event.sha256, event.previous_sha256) for event in stored
    ]
    assert events[0]["previous_sha256"] == ""
    assert events[1]["previous_sha256"] == events[0]["sha256"]


def test_a_capture_whose_warc_is_gone_is_named_in_the_package_not_a_500(
    published, viewer_client, tmp_path
):
    """A stored WARC deleted behind the app's back (disk loss, a bad restore): the package
    still comes, holds the other WARCs, and says which capture it could not hold."""
    claim, _ = published
    lost = (
        Capture.objects.filter(evidence__claim_links__claim=claim, status="succeeded")
        .exclude(warc="")
        .order_by("id")
        .first()
    )
    capture_storage().delete(lost.warc)

    folder = _unzip(_download(viewer_client, claim, tmp_path), tmp_path)

    record = json.loads((folder / "records" / "package.json").read_text())
    assert [c["id"] for c in record["captures_without_warc"]] == [str(lost.public_id)]
    assert record["captures_without_warc"][0]["reason"] == MISSING_WARC
    assert str(lost.public_id) not in {c["id"] for c in record["captures"]}
    assert not (folder / "archive" / f"{lost.public_id}.warc.gz").exists()
    checked = _verify(folder)
    assert checked.returncode == 0, checked.stdout
    assert f"NOTE     capture {lost.public_id}" in checked.stdout
