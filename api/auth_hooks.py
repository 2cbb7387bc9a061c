"""flask-jwt-extended callbacks: who a token belongs to, and whether it was revoked."""

from flask_jwt_extended import JWTManager

from api.extensions import db
from api.models import User
from api.services import accounts


def register_jwt_callbacks(manager: JWTManager) -> None:
    @manager.user_lookup_loader
    def load_user(_header, payload):
        return db.session.get(User, int(payload["sub"]))

    @manager.token_in_blocklist_loader
    def token_revoked(_header, payload):
        return accounts.is_token_revoked(payload)

    @manager.additional_claims_loader
    def role_claim(identity):
        user = db.session.get(User, int(identity))
        return {"role": user.role if user else "user"}
