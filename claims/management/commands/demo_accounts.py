"""Create the local demo accounts (viewer, analyst, editor) and print how to log in."""

from django.conf import settings
from django.core.management.base import BaseCommand

from claimtrail.accounts import DemoAccountsRefused, demo_accounts_create


class Command(BaseCommand):
    help = (
        "With DEBUG on, create or reset one account per role with a new random password, "
        "and print the passwords and API tokens; the editor may also use the admin. "
        "With DEBUG off, create none."
    )

    def handle(self, *args, **options):
        try:
            accounts = demo_accounts_create()
        except DemoAccountsRefused as exc:
            self.stdout.write(self.style.WARNING(f"No demo accounts created. {exc}"))
            return
        site = settings.SITE_URL.rstrip("/")
        self.stdout.write("Demo accounts (passwords are new on every run):")
        for account in accounts:
            self.stdout.write(
                f"  {account.role:<8} username {account.username:<8} "
                f"password {account.password}  token {account.token}"
            )
        self.stdout.write(
            f"Log in (browser):  {site}/accounts/login/, then the application at {site}/"
        )
        self.stdout.write(f"API docs:          {site}/api/docs/")
        self.stdout.write(
            f"Admin:             {site}/admin/ as editor (claims are read-only there; "
            "review them with the admin actions)"
        )
        self.stdout.write(
            f"Get a token:       curl -X POST {site}/api/auth/token/ "
            "-d username=editor -d password=..."
        )
        self.stdout.write(
            f'Use a token:       curl -H "Authorization: Token <token>" {site}/api/claims/'
        )
