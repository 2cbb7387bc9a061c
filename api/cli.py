"""Command-line tools: `flask create-admin`."""

import click
from flask import Flask

from api.exceptions import DomainError
from api.services import accounts


def register_cli(app: Flask) -> None:
    @app.cli.command("create-admin")
    @click.argument("email")
    @click.option("--name", default="Admin", help="Display name for a new account.")
    @click.password_option(help="Password for a new account (asked when not given).")
    def create_admin(email: str, name: str, password: str) -> None:
        """Make EMAIL an admin, creating the account first if it does not exist."""
        try:
            try:
                user = accounts.set_role(email, "admin")
            except DomainError:
                accounts.register_user(email, password, name)
                user = accounts.set_role(email, "admin")
        except DomainError as exc:
            raise click.ClickException(f"{exc.message} {exc.details or ''}".strip()) from exc
        click.echo(f"{user.email} is an admin")
