"""Helpers for the claims tests."""

import hashlib
from datetime import timedelta

import pytest
from django.utils import timezone

from provenance.models import Capture, Evidence


def make_succeeded_capture(
    evidence: Evidence, *, content: bytes = b"bytes", finished_ago: timedelta = timedelta(0)
) -> Capture:
    """A finished capture row, written directly: the capture service is not under test here."""
    return Capture.objects.create(
        evidence=evidence,
        status=Capture.Status.SUCCEEDED,
        requested_url=evidence.url,
        final_url=evidence.url,
        http_status=200,
        sha256=hashlib.sha256(content).hexdigest(),
        size=len(content),
        started_at=timezone.now() - finished_ago,
        finished_at=timezone.now() - finished_ago,
    )


@pytest.fixture
def succeeded_capture():
    return make_succeeded_capture
