"""Domain errors with their HTTP status on the class (one hierarchy, see STYLE.md §5)."""


class DomainError(Exception):
    """A rule of the domain was broken by the request: 400."""

    status_code = 400
    default_code = "invalid"

    def __init__(self, message: str, *, code: str | None = None, fields: dict | None = None):
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code
        self.fields = fields or {}


class NotPermitted(DomainError):
    """The actor may see the object but lacks the role to change it: 403."""

    status_code = 403
    default_code = "permission_denied"

    def __init__(self, required_role: str, message: str | None = None):
        super().__init__(message or f"Requires the {required_role} role.")
        self.required_role = required_role


class NotFound(DomainError):
    """The object does not exist or the actor may not see it: 404."""

    status_code = 404
    default_code = "not_found"

    def __init__(self, message: str = "Not found."):
        super().__init__(message)
