"""Content-addressed storage: naming, atomic placement, dedup, repair, S3 via moto."""

import hashlib
import os
import subprocess
import sys

import pytest

from provenance.capture.shared import storage
from tests.provenance.capture.pipeline_support import capture_settings_fixture  # noqa: F401


def _write(tmp_path, name: str, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_store_file_names_by_sha256_and_keeps_bytes(capture_settings, tmp_path):
    data = b"evidence bytes" * 1000
    stored = storage.store_file(_write(tmp_path, "a", data))

    digest = hashlib.sha256(data).hexdigest()
    assert stored.name == f"sha256/{digest[:2]}/{digest[2:4]}/{digest}"
    assert stored.sha256 == digest
    assert stored.size == len(data)
    on_disk = capture_settings.MEDIA_ROOT / stored.name
    assert on_disk.read_bytes() == data
    # No temporary file is left beside it.
    assert os.listdir(on_disk.parent) == [digest]


def test_store_file_deduplicates_identical_bytes(capture_settings, tmp_path):
    first = storage.store_file(_write(tmp_path, "a", b"same"))
    target = capture_settings.MEDIA_ROOT / first.name
    before = target.stat().st_ino

    second = storage.store_file(_write(tmp_path, "b", b"same"))

    assert second == first
    assert target.stat().st_ino == before  # not rewritten


def test_store_file_marks_a_reused_file_as_recently_used(capture_settings, tmp_path):
    """Removal of unreferenced files spares recent ones: a file a new capture reuses must
    not be removed before that capture's row is written."""
    first = storage.store_file(_write(tmp_path, "a", b"reused"))
    target = capture_settings.MEDIA_ROOT / first.name
    os.utime(target, (1_000_000_000, 1_000_000_000))

    storage.store_file(_write(tmp_path, "b", b"reused"))

    assert target.stat().st_mtime > 1_000_000_000


def test_store_file_replaces_a_truncated_copy(capture_settings, tmp_path):
    stored = storage.store_file(_write(tmp_path, "a", b"0123456789"))
    target = capture_settings.MEDIA_ROOT / stored.name
    target.write_bytes(b"01234")

    storage.store_file(_write(tmp_path, "b", b"0123456789"))

    assert target.read_bytes() == b"0123456789"


def test_store_file_trusts_a_given_hash_from_the_fetcher(capture_settings, tmp_path):
    digest = hashlib.sha256(b"x").hexdigest()
    stored = storage.store_file(_write(tmp_path, "a", b"x"), sha256=digest)
    assert stored.name.endswith(digest)


def test_stored_copy_survives_removal_of_the_source(capture_settings, tmp_path):
    source = _write(tmp_path, "a", b"kept")
    stored = storage.store_file(source)
    source.unlink()
    with storage.open_stored(stored.name) as fh:
        assert fh.read() == b"kept"


def test_open_stored_raises_for_missing_file(capture_settings):
    with pytest.raises(FileNotFoundError):
        storage.open_stored("sha256/00/00/" + "0" * 64)
    with pytest.raises(FileNotFoundError):
        storage.open_stored("")


def test_s3_settings_fail_loudly_when_incomplete():
    env = {
        **os.environ,
        "CAPTURE_S3_BUCKET": "claimtrail-captures",
        "CAPTURE_S3_ACCESS_KEY_ID": "key-without-secret",
        "DJANGO_SETTINGS_MODULE": "claimtrail.settings",
    }
    env.pop("CAPTURE_S3_REGION", None)
    env.pop("CAPTURE_S3_SECRET_ACCESS_KEY", None)
    result = subprocess.run(
        [sys.executable, "-c", "from django.conf import settings; settings.STORAGES"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert (
        "CAPTURE_S3_BUCKET is set: also set CAPTURE_S3_REGION, CAPTURE_S3_SECRET_ACCESS_KEY."
        in result.stderr
    )


@pytest.fixture
def moto_s3(settings):
    """A moto S3 server on loopback, and the captures storage pointed at a bucket in it."""
    moto_server = pytest.importorskip("moto.server")
    boto3 = pytest.importorskip("boto3")
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    credentials = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
    client = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", **credentials)
    client.create_bucket(Bucket="captures")
    settings.STORAGES = {
        **settings.STORAGES,
        "captures": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": "captures",
                "region_name": "us-east-1",
                "endpoint_url": endpoint,
                "access_key": "testing",
                "secret_key": "testing",
                "file_overwrite": True,
                "default_acl": None,
            },
        },
    }
    yield client
    server.stop()


def test_s3_storage_stores_content_addressed_and_deduplicates(moto_s3, tmp_path):
    data = b"bytes kept in an object store"
    stored = storage.store_file(_write(tmp_path, "a", data))

    digest = hashlib.sha256(data).hexdigest()
    obj = moto_s3.get_object(Bucket="captures", Key=stored.name)
    assert obj["Body"].read() == data
    assert stored.name == f"sha256/{digest[:2]}/{digest[2:4]}/{digest}"
    with storage.open_stored(stored.name) as fh:
        assert fh.read() == data

    again = storage.store_file(_write(tmp_path, "b", data))
    assert again == stored
    keys = [o["Key"] for o in moto_s3.list_objects_v2(Bucket="captures")["Contents"]]
    assert keys == [stored.name]
