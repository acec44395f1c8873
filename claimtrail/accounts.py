"""Demo accounts for local use: one per role, with fresh passwords each time.

Only with DEBUG on (the local default); with production settings none are created. The
editor is also staff, with the admin permissions of the domain apps, so the admin can be
tried; claims stay read-only there (their changes go through review actions).
"""

import secrets
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import Permission, User
from django.db import transaction
from rest_framework.authtoken.models import Token

from claimtrail.roles import EDITOR, ROLES, ensure_role_groups

# The apps whose admin the demo editor may use; accounts and groups are left to superusers.
ADMIN_APPS = ("sources", "claims", "provenance")


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
    (created when missing). Only the editor is staff, with every permission of ADMIN_APPS.
    Raises DemoAccountsRefused when DEBUG is off.
    """
    if not settings.DEBUG:
        raise DemoAccountsRefused(
            "DEBUG is off: demo accounts with printed passwords are for local use only; "
            "create real accounts with `manage.py createsuperuser` and the admin."
        )
    groups = ensure_role_groups()
    admin_permissions = list(Permission.objects.filter(content_type__app_label__in=ADMIN_APPS))
    accounts = []
    for role in ROLES:
        user, _ = User.objects.get_or_create(
            username=role, defaults={"email": f"{role}@example.invalid"}
        )
        password = secrets.token_urlsafe(12)
        user.set_password(password)
        user.is_active = True
        user.is_staff = role == EDITOR
        user.save(update_fields=["password", "is_active", "is_staff"])
        user.user_permissions.set(admin_permissions if user.is_staff else [])
        user.groups.remove(*[group for name, group in groups.items() if name != role])
        user.groups.add(groups[role])
        token, _ = Token.objects.get_or_create(user=user)
        accounts.append(DemoAccount(user.username, role, password, token.key))
    return accounts
