"""Store Claim.search_document as a tsvector and index that column instead of an expression.

Ranking a search with 0003's expression index parsed the document of every match again
(to_tsvector per row, most of a broad search's time); the stored column is parsed once,
when claims.services.claim_refresh_search_document writes the document. The expression
index is dropped: nothing queries the expression any more, and two GIN indexes would both
be updated on every write. PostgreSQL only; the column stays null on SQLite.
"""

import django.contrib.postgres.search
from django.db import migrations

INDEX = "claims_claim_search_gin"


def store_vectors_and_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # The same expression as claim_refresh_search_document and 0003's index.
    schema_editor.execute(
        "UPDATE claims_claim "
        "SET search_vector = to_tsvector('simple'::regconfig, COALESCE(search_document, ''))"
    )
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")
    schema_editor.execute(f"CREATE INDEX {INDEX} ON claims_claim USING gin (search_vector)")


def restore_expression_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")
    schema_editor.execute(
        f"CREATE INDEX {INDEX} ON claims_claim "
        "USING gin (to_tsvector('simple'::regconfig, COALESCE(search_document, '')))"
    )


class Migration(migrations.Migration):
    dependencies = [("claims", "0003_claim_search_index")]
    operations = [
        migrations.AddField(
            model_name="claim",
            name="search_vector",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.RunPython(store_vectors_and_index, restore_expression_index),
    ]
