"""Abstract bases shared by the domain models."""

import uuid

from django.db import models


class PublicModel(models.Model):
    """A stable public UUID for URLs, payloads and exports; integer keys stay internal."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True
