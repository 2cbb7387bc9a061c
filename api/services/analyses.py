"""Analyses service: store the upload, run the vision pipeline, keep the result and its annotated image.

A failed analysis leaves nothing behind: no row, no upload, no file.
"""

from __future__ import annotations

import os
import uuid
from datetime import date, datetime, time
from pathlib import Path

import cv2

from api.exceptions import DomainError, InvalidMedia, NotFound, UnknownExercise
from api.extensions import db
from api.ml import runtime
from api.ml.analysis import Analysis as VisionAnalysis
from api.ml.analysis import analyse_clip, analyse_photo
from api.ml.annotate import annotate
from api.models import Analysis, Upload, User
from api.ownership import owned_query
from api.services.uploads import UploadLimits, keep_upload, stage_upload
from api.storage import Storage, staged_name
from api.validation import checked_fps
from api.vocabulary import FAILED, QUEUED, RUNNING, SUCCEEDED

ANNOTATED_SUFFIX = "-annotated.jpg"
CLIP_JOB_KIND = "clip_analysis"


def recognizer_for(user: User):
    """The recognizer this user's analyses use: their active trained model, else the shipped one."""
    from api.services.model_training.registry import recognizer_for_user

    return recognizer_for_user(user.id) or runtime.default_recognizer()


def known_exercises() -> set[str]:
    """Every label a user may name: the catalogue's, the recogniser's and those with posture rules."""
    from api.ml.posture import SUPPORTED_EXERCISES
    from api.ml.recognition import LABELS
    from api.planner.catalogue import CATALOGUE

    return set(CATALOGUE) | set(LABELS) | set(SUPPORTED_EXERCISES)


def exercise_hint(value: str | None) -> str | None:
    """A user-named exercise, checked against what we know; None when not given."""
    if value is None or not value.strip():
        return None
    label = value.strip().lower()
    if label not in known_exercises():
        raise UnknownExercise(f"unknown exercise {value!r}", details={"known": sorted(known_exercises())})
    return label


def _read_image(path):
    image = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if image is None:
        raise InvalidMedia("the image does not decode")
    return image


def run_vision(upload: Upload, path, user: User, exercise_hint: str | None) -> VisionAnalysis:
    """Run the right pipeline for the upload's kind."""
    pose = runtime.pose_estimator()
    recognizer = recognizer_for(user)
    engine = runtime.pose_engine()
    if upload.kind == "image":
        return analyse_photo(_read_image(path), pose, recognizer, exercise_hint, engine=engine)
    return analyse_clip(path, pose, recognizer, exercise_hint, engine=engine)


def _stage_annotated(storage: Storage, user_id: int, vision: VisionAnalysis) -> Path | None:
    """The annotated JPEG in a staged file (kept with the analysis); None without a key frame."""
    if vision.key_frame is None:
        return None
    path = storage.user_dir(user_id) / staged_name(ANNOTATED_SUFFIX)
    path.write_bytes(annotate(vision))
    return path


def _keep_annotated(analysis: Analysis, staged: Path | None) -> Path | None:
    """Give a staged annotated image its final name and record it in the result; returns the kept file."""
    kept = staged.with_name(f"{uuid.uuid4().hex}{ANNOTATED_SUFFIX}") if staged else None
    if kept:
        os.replace(staged, kept)
    analysis.result["annotated_name"] = kept.name if kept else None
    return kept


def _fill(analysis: Analysis, vision: VisionAnalysis) -> Analysis:
    """Write a finished result (its JSON) and the columns that progress and lists read."""
    analysis.status = SUCCEEDED
    analysis.error = None
    analysis.media_type = vision.media_type
    analysis.exercise_label = vision.exercise_label
    analysis.exercise_confidence = vision.recognition.confidence
    analysis.form_score = vision.posture.score
    analysis.form_ok = vision.posture.form_ok
    analysis.rep_count = vision.rep_count
    analysis.result = vision.to_dict()
    return analysis


def record_analysis(user: User, upload: Upload | None, vision: VisionAnalysis) -> Analysis:
    """Store a finished analysis."""
    analysis = _fill(Analysis(user_id=user.id, upload_id=upload.id if upload else None), vision)
    db.session.add(analysis)
    db.session.commit()
    return analysis


def _analysed(storage: Storage, user: User, upload: Upload, path: Path, hint: str | None, analysis: Analysis):
    """Run the models on the file at `path` and fill `analysis`, its annotated image staged; returns that image."""
    vision = run_vision(upload, path, user, hint)
    annotated = _stage_annotated(storage, user.id, vision)
    _fill(analysis, vision)
    return annotated


def analyse_upload(
    storage: Storage,
    user: User,
    stream,
    filename: str | None,
    limits: UploadLimits,
    exercise_hint: str | None,
    sync_clip_seconds: float = float("inf"),
) -> Analysis:
    """Check and analyse a photo or clip in this request, or queue a clip longer than `sync_clip_seconds` (the
    analysis is returned `queued`; the job runner fills it in). Until the analysis is committed its files are
    staged, so a refusal, an error or a killed worker leaves no row and no file behind."""
    upload, stored = stage_upload(storage, user, stream, filename, {"image", "video"}, limits)
    if upload.kind == "video" and (upload.duration_s or 0) > sync_clip_seconds:
        keep_upload(storage, upload, stored)
        return queue_clip_analysis(storage, user, upload, exercise_hint)
    staged = kept = None
    try:
        analysis = Analysis(user_id=user.id)
        staged = _analysed(storage, user, upload, stored.path, exercise_hint, analysis)
        kept = _keep_annotated(analysis, staged)
        storage.keep(stored)
        db.session.add(upload)
        db.session.flush()
        analysis.upload_id = upload.id
        db.session.add(analysis)
        db.session.commit()
        return analysis
    except BaseException:
        db.session.rollback()
        storage.discard(stored)
        for annotated in (staged, kept):
            if annotated:
                annotated.unlink(missing_ok=True)
        raise


def queue_clip_analysis(storage: Storage, user: User, upload: Upload, exercise_hint: str | None) -> Analysis:
    """A `queued` analysis of a long clip and its background job; nothing is kept if the queue refuses it."""
    from api import jobs

    analysis = Analysis(user_id=user.id, upload_id=upload.id, media_type="video", status=QUEUED)
    db.session.add(analysis)
    db.session.commit()
    try:
        payload = {"analysis_id": analysis.id, "exercise_hint": exercise_hint}
        job = jobs.submit(CLIP_JOB_KIND, payload, user_id=user.id)
    except BaseException:
        db.session.rollback()
        delete_analysis(storage, analysis)
        raise
    analysis.job_id = str(job.id)
    db.session.commit()
    return analysis


class ClipAnalysisJob:
    """A long clip analysed by the background job runner (the same runner, and engine, as training jobs)."""

    @staticmethod
    def run(payload: dict, context) -> dict:
        from api.jobs import JobFailed

        runtime.configure_from_settings(context.settings)
        analysis = db.session.get(Analysis, payload["analysis_id"])
        upload = db.session.get(Upload, analysis.upload_id) if analysis and analysis.upload_id else None
        if upload is None:
            raise JobFailed("the analysis or its clip was deleted before it ran")
        analysis.status = RUNNING
        db.session.commit()
        storage = Storage(Path(context.settings["UPLOAD_DIR"]))
        user = db.session.get(User, analysis.user_id)
        annotated = None
        try:
            path = storage.path_of(user.id, upload.stored_name)
            annotated = _analysed(storage, user, upload, path, payload.get("exercise_hint"), analysis)
            _keep_annotated(analysis, annotated)
            db.session.commit()
        except DomainError as exc:
            raise JobFailed(exc.message) from exc
        finally:
            if annotated:
                annotated.unlink(missing_ok=True)  # gone once kept; left behind only by a failure
        return {"analysis_id": analysis.id}

    @staticmethod
    def on_end(payload: dict, status: str, reason: str | None, result: dict | None) -> None:
        """A job that did not succeed leaves its analysis failed, with the reason (the clip is kept)."""
        analysis = db.session.get(Analysis, payload["analysis_id"])
        if analysis is not None and status != SUCCEEDED:
            analysis.status = FAILED
            analysis.error = reason


def own_analyses_query(user: User, exercise: str | None, date_from: date | None, date_to: date | None):
    """The user's analyses, newest first, of one exercise and between two dates when given."""
    statement = owned_query(Analysis, user, exercise_label=exercise)
    if date_from:
        statement = statement.where(Analysis.created_at >= datetime.combine(date_from, time.min))
    if date_to:
        statement = statement.where(Analysis.created_at <= datetime.combine(date_to, time.max))
    return statement


def annotated_path(storage: Storage, analysis: Analysis):
    name = (analysis.result or {}).get("annotated_name")
    if not name:
        raise NotFound("this analysis has no annotated image")
    return storage.path_of(analysis.user_id, name)


def delete_analysis(storage: Storage, analysis: Analysis) -> None:
    """Delete the analysis, its annotated image and its upload."""
    name = (analysis.result or {}).get("annotated_name")
    upload = db.session.get(Upload, analysis.upload_id) if analysis.upload_id else None
    db.session.delete(analysis)
    if upload:
        db.session.delete(upload)
    db.session.commit()
    if name:
        storage.delete(analysis.user_id, name)
    if upload:
        storage.delete(upload.user_id, upload.stored_name)


def analysis_dict(analysis: Analysis) -> dict:
    """The API view of a stored analysis."""
    result = dict(analysis.result or {})
    result.pop("annotated_name", None)
    return {
        "id": analysis.id,
        "status": analysis.status,
        "media_type": analysis.media_type,
        "upload_id": analysis.upload_id,
        "created_at": analysis.created_at,
        "error": analysis.error,
        **result,
    }


def analyse_keypoints(user: User, body: dict) -> Analysis:
    """Posture and reps from keypoints a client computed itself (COCO-17 or MediaPipe-33); stored like any
    analysis."""
    from api.ml.keypoints import read_keypoint_request
    from api.ml.posture import SUPPORTED_EXERCISES, assess_pose, assess_sequence
    from api.ml.recognition import Recognition

    exercise = body.get("exercise")
    if not isinstance(exercise, str) or exercise not in SUPPORTED_EXERCISES:
        raise UnknownExercise(
            f"no posture rules for exercise {exercise!r}", details={"supported": sorted(SUPPORTED_EXERCISES)}
        )
    keypoints = read_keypoint_request(body)
    frames, image_size = keypoints.frames, keypoints.image_size
    fps = checked_fps(body.get("fps", 30))
    if len(frames) == 1:
        posture = assess_pose(exercise, frames[0], image_size)
    else:
        posture = assess_sequence(exercise, frames, fps, image_size)
    vision = VisionAnalysis(
        media_type="keypoints",
        recognition=Recognition.named(exercise),
        persons=[],
        posture=posture,
        image_size=image_size,
        timing={"frames": len(frames), "fps": fps, "keypoint_format": keypoints.keypoint_format},
    )
    return record_analysis(user, None, vision)
