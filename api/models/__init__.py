"""SQLAlchemy models. Every model module is imported here so that Alembic sees every table."""

from api.models.accounts import Profile, RevokedToken, User
from api.models.media import Upload

__all__ = ["Profile", "RevokedToken", "Upload", "User"]
