"""The review queue, the review workspace and the editor's review and merge actions.

Analysts and editors see the queue and the workspace; only editors act (the services
check the role again). Every action calls the same service as the API's review and merge
actions, and a DomainError from it is a form error (400), never a 500.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from claims import services
from claims.review_queue import (
    claim_evidence_rows,
    claim_timeline,
    merge_preview,
    review_queue_values,
)
from claims.selectors import claim_list_values, claim_lookup_for_user
from claims.views.access import lookup_or_404, require_page_role
from claims.views.review_forms import MergeForm, MergeSearchForm, ReviewForm
from claimtrail.exceptions import DomainError, NotPermitted
from claimtrail.roles import ANALYST, EDITOR, user_has_role

QUEUE_PAGE_SIZE = 25
MERGE_CANDIDATES = 10


@login_required
@require_GET
def review_queue_page(request):
    """Claims in review, oldest submission first."""
    require_page_role(request, ANALYST)
    page = Paginator(review_queue_values(actor=request.user), QUEUE_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "claims/review_queue.html", {"page": page})


def _workspace(request, claim, *, review_form=None, review_next=None, status=200):
    context = {
        "claim": claim,
        "evidence_rows": claim_evidence_rows(claim),
        "timeline": claim_timeline(claim),
        "review_form": review_form,
        # After a refused POST, the form still returns to the page it was sent from.
        "review_next": review_next,
    }
    template = "claims/review_workspace.html"
    if request.htmx and not request.htmx.history_restore_request:
        template += "#workspace"
    return render(request, template, context, status=status)


@login_required
@require_GET
def review_workspace_page(request, public_id):
    """One claim under review: graph, evidence with capture status, review panel. A full
    page, or the workspace fragment for the queue's htmx request."""
    require_page_role(request, ANALYST)
    claim = lookup_or_404(claim_lookup_for_user, public_id=public_id, actor=request.user)
    return _workspace(request, claim)


def _next_url(request, claim) -> str:
    """Where the form came from (the claim page or the workspace), if it is ours."""
    candidate = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("claims:review-workspace", args=[claim.public_id])


def _add_domain_error(form, exc: DomainError) -> None:
    placed = False
    for field, errors in exc.fields.items():
        if field in form.fields:
            for error in errors:
                form.add_error(field, error)
            placed = True
    if not placed:
        form.add_error(None, exc.message)


@login_required
@require_POST
def claim_review_action(request, public_id):
    """Set verdict/credibility with a comment and/or move the claim (claim_review): editors
    any move, analysts between draft and review (the service refuses the rest with 403)."""
    claim = lookup_or_404(claim_lookup_for_user, public_id=public_id, actor=request.user)
    require_page_role(request, ANALYST)
    form = ReviewForm(request.POST, claim=claim, editor=user_has_role(request.user, EDITOR))
    if form.is_valid():
        try:
            event = services.claim_review(
                claim=claim, actor=request.user, **form.service_arguments()
            )
        except NotPermitted as exc:
            raise PermissionDenied(exc.message) from exc
        except DomainError as exc:
            _add_domain_error(form, exc)
        else:
            messages.success(
                request,
                f"Review recorded: {event.get_to_state_display().lower()}"
                + (f", {event.get_to_verdict_display().lower()}." if event.to_verdict else "."),
            )
            return redirect(_next_url(request, claim))
    return _workspace(
        request, claim, review_form=form, review_next=_next_url(request, claim), status=400
    )


def _merge_candidates(request, duplicate, search_form):
    if not search_form.is_valid() or not search_form.cleaned_data["q"].strip():
        return []
    rows = claim_list_values(actor=request.user, filters={"q": search_form.cleaned_data["q"]})
    return list(rows.exclude(id=duplicate.id)[:MERGE_CANDIDATES])


@login_required
@require_http_methods(["GET", "POST"])
def claim_merge_page(request, public_id):
    """Merge this duplicate into another claim: search the target, preview what moves,
    confirm (claim_merge)."""
    duplicate = lookup_or_404(claim_lookup_for_user, public_id=public_id, actor=request.user)
    require_page_role(request, EDITOR)
    search_form = MergeSearchForm(request.GET or None)
    merge_form = MergeForm(request.POST or request.GET or None)
    target = None
    status = 200
    if merge_form.is_bound and merge_form.is_valid():
        target = lookup_or_404(
            claim_lookup_for_user, public_id=merge_form.cleaned_data["into"], actor=request.user
        )
        if request.method == "POST":
            try:
                target = services.claim_merge(
                    actor=request.user,
                    duplicate=duplicate,
                    target=target,
                    comment=merge_form.cleaned_data["comment"],
                )
            except NotPermitted as exc:
                raise PermissionDenied(exc.message) from exc
            except DomainError as exc:
                merge_form.add_error(None, exc.message)
                status = 400
            else:
                messages.success(request, "Merged; this claim now holds the duplicate's records.")
                return redirect("claims:review-workspace", public_id=target.public_id)
    elif request.method == "POST":
        status = 400
    context = {
        "claim": duplicate,
        "search_form": search_form,
        "candidates": _merge_candidates(request, duplicate, search_form),
        "merge_form": merge_form,
        "target": target,
        "preview": target and merge_preview(duplicate=duplicate, target=target),
    }
    return render(request, "claims/claim_merge.html", context, status=status)
