"""Training jobs: start one, watch it epoch by epoch (numbers, charts, log), cancel or resume it."""

from flask import Response, current_app
from flask_jwt_extended import current_user, jwt_required
from flask_restx import Namespace, Resource, fields

from api.charts.training import CHARTS
from api.ml.training import DEFAULT_IMGSZ, STARTS, TASKS
from api.models import TrainingJob
from api.resources import rest_api
from api.resources.common import (
    UtcDateTime,
    error_model,
    json_body,
    nullable,
    owned_page,
    page_model,
    pagination_parser,
)
from api.services.model_training import jobs as training
from api.vocabulary import JOB_STATUSES

ns = Namespace("training-jobs", description="Train YOLO11 detectors and classifiers on your datasets")
error = error_model(ns)

STATUSES = list(JOB_STATUSES)
DEFAULTS = training.DEFAULTS
IMGSZ_BY_TASK = ", ".join(f"{size} for {task}" for task, size in DEFAULT_IMGSZ.items())

training_request = ns.model(
    "TrainingRequest",
    {
        "dataset_id": fields.Integer(required=True, example=1),
        "task": fields.String(enum=list(TASKS), description="the dataset's task by default"),
        "weights": fields.String(
            enum=list(STARTS), default=DEFAULTS["weights"],
            description="start from the yolo11n-pose backbone, from a registered model (model_id), or from nothing",
        ),
        "model_id": fields.Integer(description="with weights=model: the model version to start from"),
        "epochs": fields.Integer(min=1, default=DEFAULTS["epochs"], example=2),
        "imgsz": fields.Integer(
            min=training.MIN_IMGSZ, description=f"a multiple of {training.IMGSZ_STEP}; {IMGSZ_BY_TASK} by default"
        ),
        "batch": fields.Integer(min=1, default=DEFAULTS["batch"]),
        "patience": fields.Integer(
            min=0, default=DEFAULTS["patience"], description="epochs without improvement before stopping early"
        ),
        "seed": fields.Integer(min=0, default=DEFAULTS["seed"]),
    },
)  # fmt: skip
job_summary = ns.model(
    "TrainingJobSummary",
    {
        "id": fields.Integer(),
        "status": fields.String(enum=STATUSES),
        "task": fields.String(),
        "dataset_id": nullable(fields.Integer()),
        "epoch": fields.Integer(description="epochs finished"),
        "epochs": fields.Integer(),
        "created_at": UtcDateTime(),
        "finished_at": nullable(UtcDateTime()),
    },
)
job_model = ns.inherit(
    "TrainingJob",
    job_summary,
    {
        "progress": fields.String(example="epoch 3 of 30"),
        "params": fields.Raw(),
        "class_names": fields.List(fields.String),
        "started_at": nullable(UtcDateTime()),
        "elapsed_s": nullable(fields.Float()),
        "eta_s": nullable(fields.Float(description="estimated seconds left (running jobs)")),
        "latest_metrics": nullable(
            fields.Raw(description="the last finished epoch's losses, precision, recall, mAP or top-k")
        ),
        "log_tail": fields.List(fields.String),
        "reason": nullable(fields.String(description="why it failed, was cancelled or was interrupted, in words")),
        "cancel_requested": fields.Boolean(),
        "checkpoint_kept": fields.Boolean(),
        "resumable": fields.Boolean(),
        "model_version_id": nullable(fields.Integer(description="the model it registered (succeeded jobs)")),
        "charts": fields.List(fields.String),
    },
)
job_page = page_model(ns, "TrainingJob", job_summary)
metrics_model = ns.model(
    "TrainingMetrics",
    {
        "job_id": fields.Integer(),
        "task": fields.String(),
        "class_names": fields.List(fields.String),
        "epochs": fields.List(fields.Integer),
        "series": fields.Raw(description="metric name -> one value per epoch (train_*_loss, val_*_loss, precision, "
                                         "recall, map50, map50_95 or top1, top5, lr, epoch_s)"),
        "confusion_matrix": nullable(
            fields.Raw(description="{epoch, matrix}: rows true, columns predicted (+ background)")
        ),
        "final": nullable(fields.Raw(description="the best weights' validation metrics, once registered")),
    },
)  # fmt: skip

list_parser = pagination_parser.copy()
list_parser.add_argument("status", choices=STATUSES, location="args")


def _location(job) -> dict:
    return {"Location": rest_api.url_for(TrainingJobItem, job_id=job.id)}


@ns.route("")
class TrainingJobList(Resource):
    method_decorators = [jwt_required()]

    @ns.expect(list_parser)
    @ns.marshal_with(job_page)
    def get(self):
        """Your training jobs, newest first."""
        return owned_page(
            TrainingJob, list_parser, lambda job: training.job_summary(training.refresh(job)), status="status"
        )

    @ns.expect(training_request)
    @ns.marshal_with(job_model, code=202, description="Queued; follow Location")
    @ns.response(404, "The dataset or starting model is not yours or not there", error)
    @ns.response(422, "Invalid values (limits are in the details)", error)
    @ns.response(429, "quota_exceeded: an active job already, or too many epochs x images", error)
    def post(self):
        """Start training a model on one of your datasets."""
        job = training.start_training(current_app.config, current_user, json_body())
        return training.job_detail(job), 202, _location(job)


@ns.route("/<int:job_id>")
@ns.response(404, "Not yours or not there", error)
class TrainingJobItem(Resource):
    method_decorators = [jwt_required()]

    @ns.marshal_with(job_model)
    def get(self, job_id: int):
        """Status, epoch k of N, elapsed and remaining time, latest metrics, the log's last lines, and why it ended."""
        return training.job_detail(training.get_own_job(current_user, job_id))


@ns.route("/<int:job_id>/metrics")
@ns.response(404, "Not yours or not there", error)
class TrainingJobMetrics(Resource):
    method_decorators = [jwt_required()]

    @ns.marshal_with(metrics_model)
    def get(self, job_id: int):
        """Every finished epoch's metrics, stored as each epoch ended."""
        return training.metrics_series(training.get_own_job(current_user, job_id))


@ns.route("/<int:job_id>/charts/<string:name>.png")
@ns.param("name", f"detect: {', '.join(CHARTS['detect'])}; classify: {', '.join(CHARTS['classify'])}")
@ns.response(404, "Not yours, not there, or no such chart for this task", error)
class TrainingJobChart(Resource):
    method_decorators = [jwt_required()]

    @ns.produces(["image/png"])
    def get(self, job_id: int, name: str):
        """One chart as a PNG, x-axis epochs (the confusion matrix: true x predicted), readable on a phone."""
        return Response(training.chart_png(training.get_own_job(current_user, job_id), name), mimetype="image/png")


@ns.route("/<int:job_id>/cancel")
@ns.response(404, "Not yours or not there", error)
@ns.response(409, "Already finished", error)
class TrainingJobCancel(Resource):
    method_decorators = [jwt_required()]

    @ns.marshal_with(job_model, code=202, description="Cancelled (queued) or asked to stop after this epoch")
    def post(self, job_id: int):
        """Cancel: a queued job at once, a running one when its current epoch ends (its checkpoint is kept)."""
        job = training.cancel_training(training.get_own_job(current_user, job_id))
        return training.job_detail(job), 202


@ns.route("/<int:job_id>/resume")
@ns.response(404, "Not yours or not there", error)
@ns.response(409, "Not interrupted, or its dataset is gone", error)
@ns.response(429, "Quota exceeded", error)
class TrainingJobResume(Resource):
    method_decorators = [jwt_required()]

    @ns.marshal_with(job_model, code=202, description="Queued again; follow Location")
    def post(self, job_id: int):
        """Resume an interrupted job from its last finished epoch."""
        job = training.resume_training(current_app.config, current_user, training.get_own_job(current_user, job_id))
        return training.job_detail(job), 202, _location(job)
