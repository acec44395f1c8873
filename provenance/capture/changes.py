"""Change detection between captures of the same thing over time.

Link rot and silent edits are findings: a re-capture whose bytes differ from the previous
successful one records the previous hash, so the UI and API can show "changed".
"""

from provenance.capture.rows import previous_success_sha256
from provenance.models import Capture


def change_since_previous(capture: Capture, sha256: str) -> dict:
    """Compare with the previous success of the same lineage: top-level captures of the
    item, or captures of the same embedded URL; browser captures (screenshots) only with
    browser captures."""
    previous_sha = previous_success_sha256(capture)
    if previous_sha is None:
        return {"change": "first"}
    if previous_sha == sha256:
        return {"change": "unchanged"}
    return {"change": "changed", "changed_from": previous_sha}
