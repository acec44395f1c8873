"""{% review_panel_form claim as form %}: the editor's review form for the review panel,
or None for a user without the editor role (the panel then renders nothing)."""

from django import template

from claims.views.review_forms import ReviewForm
from claimtrail.roles import EDITOR, user_has_role

register = template.Library()


@register.simple_tag(takes_context=True)
def review_panel_form(context, claim):
    request = context.get("request")
    if request is None or claim is None or not user_has_role(request.user, EDITOR):
        return None
    bound = context.get("review_form")
    if bound is not None and bound.claim.pk == claim.pk:
        return bound  # re-shown with its errors and what the editor typed
    return ReviewForm(claim=claim)
