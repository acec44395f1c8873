"""Full-text search index over Claim.search_document, on PostgreSQL only.

The 'simple' configuration splits words in any language (the Kremlin's statement is
Russian) without stemming; claims.selectors uses the same expression so the index is used.
"""

from django.db import migrations

INDEX = "claims_claim_search_gin"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON claims_claim "
        "USING gin (to_tsvector('simple'::regconfig, COALESCE(search_document, '')))"
    )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("claims", "0002_initial")]
    operations = [migrations.RunPython(create_index, drop_index)]
