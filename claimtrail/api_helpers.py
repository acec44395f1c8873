"""Small pieces the app APIs share: input validation and references to unknown ids."""

from claimtrail.exceptions import DomainError


def unknown_reference(field: str, noun: str, public_id) -> DomainError:
    """The 400 for a UUID in a request body that names nothing the actor can see."""
    message = f"No {noun} with id {public_id}."
    return DomainError(message, code="unknown_reference", fields={field: [message]})


def validated(serializer_class, request, *, partial: bool = False) -> dict:
    """The request body checked by `serializer_class` (a 400 when it is invalid)."""
    serializer = serializer_class(data=request.data, partial=partial)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)
