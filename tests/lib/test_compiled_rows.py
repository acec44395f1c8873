"""claimtrail.lib.compiled_rows: reads compiled once, prepared once per session."""

import pytest
from django.db import connection
from django.db.models import Value
from django.db.models.expressions import RawSQL
from django.test.utils import CaptureQueriesContext

from claims.models import Claim
from claimtrail.lib.compiled_rows import rows
from tests.factories import ClaimFactory

pytestmark = pytest.mark.django_db
on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's"
)


def _claim_text(claim_id: int):
    return Claim.objects.filter(id=claim_id)


def _claim_echo(claim_id: int):
    # Parameters in the select list: PostgreSQL would infer text for them.
    return Claim.objects.filter(id=claim_id).annotate(
        echo=Value(claim_id), flag=Value(True), word=Value("drone")
    )


def _claim_untyped(claim_id: int):
    # Inline, '1' is a literal of unknown type that PostgreSQL reads as an integer; declared
    # text, PREPARE refuses `text + integer`.
    return Claim.objects.filter(id=claim_id).annotate(two=RawSQL("%s + 1", ("1",)))


def test_rows_are_the_querysets_values_for_each_argument(editor):
    claims = [ClaimFactory(actor=editor, text=f"Claim {n}") for n in range(3)]

    for claim in (*claims, claims[0]):
        assert rows(_claim_text, ("id", "text"), claim.pk) == [{"id": claim.pk, "text": claim.text}]


@on_postgresql
def test_each_read_is_one_query_even_the_first(editor):
    claim = ClaimFactory(actor=editor)

    for _ in range(3):
        with CaptureQueriesContext(connection) as queries:
            rows(_claim_text, ("id",), claim.pk)
        assert len(queries) == 1
        assert queries[0]["sql"].startswith("EXECUTE compiled_rows_")


def test_parameters_keep_their_types(editor):
    claim = ClaimFactory(actor=editor)

    for _ in range(2):
        found = rows(_claim_echo, ("id", "echo", "flag", "word"), claim.pk)
        assert found == [{"id": claim.pk, "echo": claim.pk, "flag": True, "word": "drone"}]


@on_postgresql
def test_a_statement_postgresql_cannot_prepare_runs_as_plain_sql(editor):
    claim = ClaimFactory(actor=editor)

    for _ in range(2):
        with CaptureQueriesContext(connection) as queries:
            found = rows(_claim_untyped, ("id", "two"), claim.pk)
        assert found == [{"id": claim.pk, "two": 2}]
        assert len(queries) == 1
        assert not queries[0]["sql"].startswith("EXECUTE")
    # The refused PREPARE did not abort the test's transaction.
    assert Claim.objects.filter(pk=claim.pk).exists()
