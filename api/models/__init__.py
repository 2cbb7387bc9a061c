"""SQLAlchemy models. Every model module is imported here so that Alembic sees every table."""

from api.models.accounts import Profile, RevokedToken, User
from api.models.jobs import Job
from api.models.live import LiveSession, LiveSessionRows
from api.models.media import Upload
from api.models.planning import BodyMetric, Plan, PlanVersion, Workout
from api.models.training import Dataset, EpochMetric, ModelVersion, TrainingJob
from api.models.vision import Analysis

__all__ = [
    "Analysis",
    "BodyMetric",
    "Dataset",
    "EpochMetric",
    "Job",
    "LiveSession",
    "LiveSessionRows",
    "ModelVersion",
    "Plan",
    "PlanVersion",
    "Profile",
    "RevokedToken",
    "TrainingJob",
    "Upload",
    "User",
    "Workout",
]
