"""Standard exports of claims: schema.org ClaimReview, CSV lists."""
