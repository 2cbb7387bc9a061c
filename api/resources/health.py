"""Health: version, database reachability and whether the vision models are loaded."""

from flask import current_app
from flask_restx import Namespace, Resource, fields
from sqlalchemy import text

from api.extensions import db
from api.ml.runtime import vision_status

ns = Namespace("health", description="Service health")

health_model = ns.model(
    "Health",
    {
        "status": fields.String(enum=["ok", "degraded"]),
        "version": fields.String(),
        "database": fields.Boolean(description="the database answered a query"),
        "models": fields.Raw(description="which vision models are loaded in this worker"),
    },
)


def database_reachable() -> bool:
    try:
        db.session.execute(text("SELECT 1"))
        return True
    except Exception:
        db.session.rollback()
        return False


@ns.route("")
class Health(Resource):
    @ns.doc(security=[])
    @ns.marshal_with(health_model)
    def get(self):
        """Report the version, the database and the vision models."""
        database_ok = database_reachable()
        return {
            "status": "ok" if database_ok else "degraded",
            "version": current_app.config["VERSION"],
            "database": database_ok,
            "models": vision_status(),
        }
