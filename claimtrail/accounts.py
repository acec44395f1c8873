"""Demo accounts for local use: one per role, with fresh passwords each time.

Only with DEBUG on (the local default); with production settings none are created.
"""

import secrets
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from rest_framework.authtoken.models import Token

from claimtrail.roles import ROLES, ensure_role_groups


class DemoAccountsRefused(Exception):
    """Demo accounts are only made when DEBUG is on."""


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    password: str
    token: str


@transaction.atomic
def demo_accounts_create() -> list[DemoAccount]:
    """Create or reset the `viewer`, `analyst` and `editor` accounts (DEBUG only).

    Each gets a new random password and exactly its role group; its API token is kept
    (created when missing). Raises DemoAccountsRefused when DEBUG is off.
    """
    if not settings.DEBUG:
        raise DemoAccountsRefused(
            "DEBUG is off: demo accounts with printed passwords are for local use only; "
            "create real accounts with `manage.py createsuperuser` and the admin."
        )
    groups = ensure_role_groups()
    accounts = []
    for role in ROLES:
        user, _ = User.objects.get_or_create(
            username=role, defaults={"email": f"{role}@example.invalid"}
        )
        password = secrets.token_urlsafe(12)
        user.set_password(password)
        user.is_active = True
        user.save(update_fields=["password", "is_active"])
        user.groups.remove(*[group for name, group in groups.items() if name != role])
        user.groups.add(groups[role])
        token, _ = Token.objects.get_or_create(user=user)
        accounts.append(DemoAccount(user.username, role, password, token.key))
    return accounts
