"""Standard exports of a claim's provenance (W3C PROV)."""
