"""Forms of the review actions: their fields are the review API's (claims/api). Editors
judge and publish; analysts move a claim between draft and review (claims.services
claim_review decides who may do what; the forms only offer what it will allow)."""

from django import forms

from claims.models import Claim, Credibility, ReviewState, Verdict
from claims.services import ALLOWED_TRANSITIONS, EDITOR_STATES

COMMENT_MAX_LENGTH = 5000

# The button an editor presses for each move (the state the claim goes to).
MOVE_LABELS = {
    ReviewState.PUBLISHED: "Publish",
    ReviewState.DRAFT: "Send back to draft",
    ReviewState.IN_REVIEW: "Return to review",
    ReviewState.ARCHIVED: "Archive",
}


def review_moves(claim: Claim, *, editor: bool = True) -> list[tuple[str, str]]:
    """(to_state, button label) for each move claim_review allows from the claim's state;
    for editors first the one that keeps the state (save the verdict), or republishes.
    Analysts get only the moves between draft and review (none from published)."""
    state = claim.review_state
    if editor:
        keep = "Publish again" if state == ReviewState.PUBLISHED else "Save verdict"
        moves = [(state, keep)]
    elif state == ReviewState.PUBLISHED:
        return []  # what the public reads changes only by an editor's decision
    else:
        moves = []
    for target in ReviewState.values:
        if target in ALLOWED_TRANSITIONS[state] and (editor or target not in EDITOR_STATES):
            label = MOVE_LABELS[target]
            if target == ReviewState.IN_REVIEW and state != ReviewState.PUBLISHED:
                label = "Submit for review"  # from a draft or the archive
            moves.append((target, label))
    return moves


class ReviewForm(forms.Form):
    """Verdict, credibility and comment, and the move (the submit button pressed)."""

    verdict = forms.ChoiceField(
        choices=[("", "— none —"), *Verdict.choices],
        required=False,
        help_text="Needed to publish.",
    )
    credibility = forms.TypedChoiceField(
        choices=[("", "— not rated —"), *Credibility.choices],
        coerce=int,
        empty_value=None,
        required=False,
        help_text="Admiralty scale: 1 confirmed … 5 improbable; 6 means too little to judge.",
    )
    comment = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=COMMENT_MAX_LENGTH,
        required=False,
        help_text="Kept in the review log with the captures the decision relied on.",
    )
    to_state = forms.ChoiceField(choices=ReviewState.choices)

    def __init__(self, *args, claim: Claim, editor: bool = True, **kwargs):
        kwargs.setdefault("initial", {"verdict": claim.verdict, "credibility": claim.credibility})
        super().__init__(*args, **kwargs)
        self.claim = claim
        self.for_editor = editor
        self.moves = review_moves(claim, editor=editor)
        if not editor:  # verdicts and credibility are the editors' to set
            del self.fields["verdict"], self.fields["credibility"]
        for name, form_field in self.fields.items():
            if form_field.help_text:  # the panel renders it as <p id="id_<name>-help">
                form_field.widget.attrs["aria-describedby"] = f"id_{name}-help"

    def service_arguments(self) -> dict:
        """The keyword arguments of claims.services.claim_review, as the API passes them."""
        data = self.cleaned_data
        arguments = {
            "to_state": data["to_state"],
            "verdict": data.get("verdict"),
            "comment": data["comment"].strip(),
        }
        if data.get("credibility") is not None:
            arguments["credibility"] = data["credibility"]
        return arguments


class MergeSearchForm(forms.Form):
    q = forms.CharField(label="Find the claim to keep", max_length=200, required=False)


class MergeForm(forms.Form):
    into = forms.UUIDField(widget=forms.HiddenInput)
    comment = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=COMMENT_MAX_LENGTH,
        required=False,
        help_text="Added to the archived duplicate's review log.",
    )
