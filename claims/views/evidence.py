"""Attaching evidence to a claim: one URL, one upload, or many pasted URLs. Each becomes
evidence linked to the claim through provenance.services.evidence_create, which queues
its first capture once saved (as `POST /api/evidence/` does)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django_htmx.http import trigger_client_event

from claims.detail import claim_evidence_rows
from claims.forms import EvidenceForm
from claims.views.common import add_domain_error, claim_or_404, require_analyst
from claims.views.detail import evidence_cards
from claimtrail.exceptions import DomainError
from provenance.services import evidence_create

# Sent (HX-Trigger) when the claim's provenance graph has changed under the page.
GRAPH_CHANGED_EVENT = "claimtrail:graph-changed"


def _attach(form: EvidenceForm, *, claim, actor) -> int:
    """Create the form's evidence, all or none (a refusal rolls back the earlier ones,
    so that sending the corrected list again adds no duplicates); the number created.
    Captures are queued when the transaction commits."""
    links = [(claim, form.cleaned_data["relation"])]
    targets = form.targets()
    if len(targets) == 1:  # an upload is stored before evidence_create's transaction opens
        evidence_create(actor=actor, claim_links=links, **targets[0])
        return 1
    with transaction.atomic():
        for target in targets:
            evidence_create(actor=actor, claim_links=links, **target)
    return len(targets)


@login_required
def evidence_new(request, public_id):
    """GET: the form as a page. POST: attach, then the claim page (or, from htmx, the
    evidence section with fresh cards that poll until their captures finish)."""
    require_analyst(request.user)
    claim = claim_or_404(public_id=public_id, user=request.user)
    form = EvidenceForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                created = _attach(form, claim=claim, actor=request.user)
            except DomainError as exc:
                add_domain_error(form, exc)
        if not form.errors:
            if request.htmx:
                # The page's provenance graph fetches itself again (static/js/graph.js).
                response = _section(request, claim, EvidenceForm(), status=200)
                return trigger_client_event(response, GRAPH_CHANGED_EVENT)
            messages.success(
                request,
                f"{created} evidence item{'s' if created != 1 else ''} attached; capture started.",
            )
            return redirect(reverse("claims:detail", args=[claim.public_id]) + "#evidence-section")
        status = 400
        if request.htmx:
            return _section(request, claim, form, status=status)
    return render(
        request, "claims/evidence_new.html", {"claim": claim, "form": form}, status=status
    )


def _section(request, claim, form, *, status: int):
    cards, pending = evidence_cards(claim_evidence_rows(claim_id=claim.id))
    context = {
        "claim": claim,
        "cards": cards,
        "pending": pending,
        "can_write": True,
        "evidence_form": form,
    }
    return render(request, "claims/partials/evidence_section.html", context, status=status)
