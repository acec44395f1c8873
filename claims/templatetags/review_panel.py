"""{% review_panel_form claim as form %}: the review form for the review panel: an
editor's (verdict, credibility, every move), an analyst's (the moves between draft and
review), or None when the user has no move to make (the panel then renders nothing)."""

from django import template

from claims.views.review_forms import ReviewForm
from claimtrail.roles import ANALYST, EDITOR, user_has_role

register = template.Library()


@register.simple_tag(takes_context=True)
def review_panel_form(context, claim):
    request = context.get("request")
    if request is None or claim is None or not user_has_role(request.user, ANALYST):
        return None
    bound = context.get("review_form")
    if bound is not None and bound.claim.pk == claim.pk:
        return bound  # re-shown with its errors and what was typed
    form = ReviewForm(claim=claim, editor=user_has_role(request.user, EDITOR))
    return form if form.moves else None
