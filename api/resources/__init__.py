"""The REST API: one flask-restx `Api` at /api/v1, one Namespace per resource module."""

from flask import Blueprint
from flask_restx import Api

from api.errors import error_response


class FitCoachApi(Api):
    """flask-restx `Api` whose every error goes through the app's one error shape."""

    def handle_error(self, e):
        return error_response(e)


AUTHORIZATIONS = {
    "Bearer": {
        "type": "apiKey",
        "in": "header",
        "name": "Authorization",
        "description": "Type 'Bearer <access_token>' (from POST /auth/login).",
    }
}

blueprint = Blueprint("api_v1", __name__, url_prefix="/api/v1")
rest_api = FitCoachApi(
    blueprint,
    version="1",
    title="FitCoach API",
    description="An AI personal fitness coach: exercise recognition, posture feedback, plans and progress.",
    doc="/docs",
    authorizations=AUTHORIZATIONS,
    security="Bearer",
)


def register_namespaces() -> None:
    """Import every resource module and add its namespace (idempotent)."""
    from api.resources import (
        analyses,
        auth,
        datasets,
        exercises,
        health,
        live_sessions,
        model_versions,
        plans,
        posture,
        progress,
        training_jobs,
        uploads,
        users,
        workouts,
    )

    modules = (health, auth, users, uploads, analyses, posture, live_sessions, exercises, plans, workouts, progress,
               datasets, training_jobs, model_versions)  # fmt: skip
    namespaces = [module.ns for module in modules]
    for namespace in [*namespaces, workouts.metrics_ns]:
        if namespace not in rest_api.namespaces:
            rest_api.add_namespace(namespace)
