"""The live sessions service: start a set, feed it batches of frames (keypoints from the device, or small JPEG
frames posed here), say where it stands, and finish it as an analysis (optionally a logged workout)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import cv2
import numpy as np
from sqlalchemy import delete, select, update

from api.exceptions import (
    Conflict,
    DomainError,
    InvalidInput,
    InvalidKeypoints,
    InvalidMedia,
    PayloadTooLarge,
    UnsupportedMedia,
)
from api.extensions import db
from api.ml.analysis import Analysis
from api.ml.keypoints import KEYPOINT_FORMATS, read_keypoint_request
from api.ml.live_pose import LivePose
from api.ml.posture import SUPPORTED_EXERCISES, PostureIssue, SequenceAssessor
from api.ml.recognition import Recognition
from api.ml.runtime import live_pose_config
from api.models import LiveSession, LiveSessionRows, User
from api.models.base import as_utc, utcnow
from api.ownership import get_owned
from api.services.live_sessions.stores import ACTIVE, EXPIRED, FINISHED, HeldState, expiry, store_for
from api.storage import sniff_mime
from api.validation import number_in

SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2}
UPDATE_RETRIES = 5


@dataclass(frozen=True)
class LiveSettings:
    """Limits of live sessions, from the app's config (`LIVE_*`)."""

    ttl_s: int = 1800
    max_lead_s: int = 120
    max_batch_frames: int = 300
    max_jpeg_frames: int = 16
    max_frame_side: int = 1280
    max_frames: int = 108_000
    pose_imgsz: int = 480

    @classmethod
    def from_config(cls, config) -> LiveSettings:
        return cls(**{name: config[f"LIVE_{name.upper()}"] for name in cls.__dataclass_fields__})


class LiveService:
    """Live sessions over one store with one set of limits; the resources build one per request."""

    def __init__(self, store, settings: LiveSettings, pose_config=None):
        self.store = store
        self.settings = settings
        self.pose_config = pose_config

    @classmethod
    def from_config(cls, config) -> LiveService:
        """The service as the app's config sets it up: its store, its limits and the pose settings for JPEG frames."""
        return cls(store_for(config["LIVE_STORE_URL"]), LiveSettings.from_config(config), live_pose_config())

    def create(self, user: User, body: dict) -> LiveSession:
        """A new session for one exercise with posture rules, with an optional target in reps or seconds."""
        errors: dict[str, str] = {name: "unknown field" for name in body if name not in CREATE_FIELDS}
        exercise = body.get("exercise")
        if not isinstance(exercise, str) or exercise not in SUPPORTED_EXERCISES:
            errors["exercise"] = f"one of {', '.join(sorted(SUPPORTED_EXERCISES))}"
        keypoint_format = body.get("keypoint_format", KEYPOINT_FORMATS[0])
        if keypoint_format not in KEYPOINT_FORMATS:
            errors["keypoint_format"] = f"one of {', '.join(KEYPOINT_FORMATS)}"
        target_reps = number_in(errors, "target_reps", body.get("target_reps"), 1, 1000, whole=True)
        target_seconds = number_in(errors, "target_seconds", body.get("target_seconds"), 1, 3600, whole=True)
        if errors:
            raise InvalidInput("the live session has invalid values", details=errors)
        self._expire_abandoned()
        session = LiveSession(
            user_id=user.id,
            exercise=exercise,
            keypoint_format=keypoint_format,
            target_reps=target_reps,
            target_seconds=target_seconds,
            status=ACTIVE,
            version=0,
            expires_at=expiry(self.settings.ttl_s),
        )
        db.session.add(session)
        db.session.commit()
        assessor = SequenceAssessor(exercise)
        state = {"assessor": assessor.state(), "last_batch": None, "tracked_box": None}
        self.store.drop(session)  # a Redis store may still hold keys of a session of this id in another database
        self.store.save(session, state, assessor.rows, 0, 0, self.settings.ttl_s)
        return session

    def describe(self, session: LiveSession) -> dict:
        """The session and where its set stands."""
        loaded = self.store.load(session) if session.status == ACTIVE else None
        if session.status == ACTIVE and loaded is None:
            self._mark(session, EXPIRED)
        data = {
            "id": session.id,
            "exercise": session.exercise,
            "keypoint_format": session.keypoint_format,
            "target_reps": session.target_reps,
            "target_seconds": session.target_seconds,
            "status": session.status,
            "created_at": as_utc(session.created_at),
            "expires_at": self.store.expires_at(session) if session.status == ACTIVE else None,
            "analysis_id": session.analysis_id,
            "rep_count": 0,
            "hold_s": None,
            "phase": None,
            "active_faults": [],
        }
        if loaded:
            assessor = self._assessor(session, *loaded[:2])
            data.update(self._standing(session, assessor))
        return data

    def add_keypoints(self, session: LiveSession, body: dict, held: HeldState | None = None) -> dict:
        """Feed keypoint frames `{frames, t_ms, image_size}` computed on the device; a connection that sends many
        batches passes its `held` state along."""
        errors = {name: "unknown field" for name in body if name not in FRAME_FIELDS}
        if errors:
            raise InvalidInput("the frames have unknown fields", details=errors)
        times_ms = self._times(body.get("t_ms"))
        sent_format = body.get("keypoint_format", session.keypoint_format)
        if sent_format != session.keypoint_format:
            raise InvalidKeypoints(
                f"this session takes {session.keypoint_format} keypoints",
                details={"keypoint_format": session.keypoint_format},
            )
        request = read_keypoint_request({**body, "keypoint_format": sent_format})
        frames, image_size = request.frames, request.image_size
        if len(frames) != len(times_ms):
            raise InvalidKeypoints("send one t_ms per frame", details={"frames": len(frames), "t_ms": len(times_ms)})
        return self._feed(session, times_ms, lambda _state: (frames, None, image_size), held)

    def add_jpegs(self, session: LiveSession, images: list[bytes], times: list[str]) -> dict:
        """Feed small JPEG (or PNG) frames; pose runs here and the main person is followed from frame to frame."""
        if not images:
            raise InvalidInput("send one or more frames as files named 'frames'", code="missing_file")
        if len(images) > self.settings.max_jpeg_frames:
            raise PayloadTooLarge(f"at most {self.settings.max_jpeg_frames} frames a request")
        times_ms = self._times([_whole_number(value) for value in times])
        if len(times_ms) != len(images):
            raise InvalidInput("send one t_ms per frame", details={"frames": len(images), "t_ms": len(times_ms)})
        decoded = [self._decode(index, data) for index, data in enumerate(images)]

        def posed(state: dict):
            pose = LivePose(self.pose_config, state.get("tracked_box"))
            frames, persons = pose.follow(decoded)
            state["tracked_box"] = pose.tracked_box
            return frames, persons, (decoded[0].shape[1], decoded[0].shape[0])

        return self._feed(session, times_ms, posed)

    def finish(self, user: User, session: LiveSession, body: dict) -> dict:
        """Judge the whole set, store it as an analysis and, when asked, log it as a workout (tied to a plan day,
        it adapts the plan as any logged workout does)."""
        from api.services import analyses, workouts

        errors = {name: "unknown field" for name in body if name not in FINISH_FIELDS}
        log_workout = body.get("log_workout", False)
        if not isinstance(log_workout, bool):
            errors["log_workout"] = "true or false"
        weight_kg = number_in(errors, "weight_kg", body.get("weight_kg"), 0, 1000)
        if errors:
            raise InvalidInput("the finish request has invalid values", details=errors)
        loaded = self._active_state(session)
        assessor = self._assessor(session, *loaded[:2])
        if not assessor.frame_count:
            raise Conflict("no frame was sent in this live session: nothing to judge")
        analysis = analyses.record_analysis(user, None, self._result(session, assessor, loaded[0]))
        workout, changes = None, None
        if log_workout:
            workout_body = {"analysis_id": analysis.id, **{k: body[k] for k in ("plan_id", "plan_day") if k in body}}
            if weight_kg is not None:
                sets = [{"reps": analysis.rep_count or 1, "weight_kg": weight_kg}]
                workout_body["exercises"] = [{"exercise": session.exercise, "sets": sets}]
            try:
                workout, changes = workouts.log_workout(user, workout_body, date.today())
            except DomainError:
                db.session.rollback()
                db.session.delete(analysis)  # a refused workout leaves no analysis behind; the set stays open
                db.session.commit()
                raise
        session.analysis_id = analysis.id
        self.store.drop(session)
        self._mark(session, FINISHED)
        return {
            "session": self.describe(session),
            "analysis": analyses.analysis_dict(analysis),
            "workout_id": workout.id if workout else None,
            "plan_changes": changes,
        }

    def delete(self, session: LiveSession) -> None:
        self.store.drop(session)
        db.session.delete(session)
        db.session.commit()

    # --- inside -------------------------------------------------------------------------------------------

    def _feed(self, session: LiveSession, times_ms: list[int], frames_of, held: HeldState | None = None) -> dict:
        """Compare-and-set loop: load (or take what the connection holds), check the times, measure the frames,
        answer; again, from the store, if another write won."""
        for attempt in range(UPDATE_RETRIES):
            if attempt:
                session = get_owned(LiveSession, session.user_id, session.id, fresh=True)  # finished elsewhere?
            taken = held.take() if held and not attempt else None
            if taken:
                self.check_active(session)
                state, assessor, version = taken
            else:
                state, rows, version = self._active_state(session)
                assessor = self._assessor(session, state, rows)
            last = state["last_batch"]
            if last and last["t_ms"] == times_ms:
                if taken:
                    held.keep(state, assessor, version)
                return {**last["answer"], "duplicate": True}
            self._check_times(session, state, times_ms)
            frames, persons, image_size = frames_of(state)
            saved_rows = assessor.frame_count
            if saved_rows + len(frames) > self.settings.max_frames:
                raise PayloadTooLarge(f"a live session holds at most {self.settings.max_frames} frames")
            update = assessor.feed(frames, np.asarray(times_ms, dtype=np.float64) / 1000.0)
            answer = {**update.to_dict(), **self._standing(session, assessor), "duplicate": False}
            answer["cue"] = cue.to_dict() if (cue := _cue(update.faults_appeared)) else None
            if persons is not None:
                answer["pose"] = persons
            state.update(
                assessor=assessor.state(),
                last_batch={"t_ms": times_ms, "answer": answer},
                image_size=list(image_size),
            )
            if self.store.save(session, state, assessor.rows, saved_rows, version, self.settings.ttl_s):
                if held:
                    held.keep(state, assessor, version + 1)
                return answer
        raise Conflict("the live session was updated by another request at the same time; send the batch again")

    def _standing(self, session: LiveSession, assessor: SequenceAssessor) -> dict:
        rep_count = len(assessor.judged)
        hold_s = round(assessor.hold_s, 2) if not assessor.counter else None
        reached = (session.target_reps is not None and rep_count >= session.target_reps) or (
            session.target_seconds is not None and hold_s is not None and hold_s >= session.target_seconds
        )
        return {
            "rep_count": rep_count,
            "phase": assessor.phase,
            "hold_s": hold_s,
            "hold_ok": assessor.phase == "holding" if not assessor.counter else None,
            "active_faults": [issue.to_dict() for issue in assessor.active_faults],
            "target_reached": bool(reached),
        }

    def _result(self, session: LiveSession, assessor: SequenceAssessor, state: dict) -> Analysis:
        """The finished set as an analysis, like a clip's."""
        times = assessor.rows[:, 0]
        return Analysis(
            media_type="live",
            recognition=Recognition.named(session.exercise),
            persons=[],
            posture=assessor.finish(),
            image_size=tuple(state.get("image_size") or (0, 0)),
            timing={
                "frames_analysed": assessor.frame_count,
                "duration_s": round(float(times[-1] - times[0]), 3),
                "live_session_id": session.id,
            },
        )

    def check_active(self, session: LiveSession) -> None:
        if session.status != ACTIVE:
            raise Conflict(f"the live session is {session.status}", details={"status": session.status})

    def _active_state(self, session: LiveSession) -> tuple[dict, bytes, int]:
        self.check_active(session)
        loaded = self.store.load(session)
        if loaded is None:
            self._mark(session, EXPIRED)
            raise Conflict("the live session has expired", details={"status": EXPIRED})
        return loaded

    def _assessor(self, session: LiveSession, state: dict, rows: bytes) -> SequenceAssessor:
        return SequenceAssessor.restore(session.exercise, state["assessor"], rows)

    def _times(self, values) -> list[int]:
        """Frame times in whole milliseconds since the session started on the device, strictly increasing."""
        valid = isinstance(values, list) and all(
            isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= 10**9 for v in values
        )
        if not valid or not values:
            raise InvalidInput("t_ms must be a list of whole milliseconds, one per frame", details={"t_ms": "list"})
        if len(values) > self.settings.max_batch_frames:
            raise PayloadTooLarge(f"at most {self.settings.max_batch_frames} frames a request")
        if any(b <= a for a, b in zip(values, values[1:], strict=False)):
            raise InvalidInput("t_ms must increase from frame to frame", details={"t_ms": "strictly increasing"})
        return values

    def _check_times(self, session: LiveSession, state: dict, times_ms: list[int]) -> None:
        last = state["last_batch"]["t_ms"][-1] if state["last_batch"] else None
        if last is not None and times_ms[0] <= last:
            raise InvalidInput(
                "frames out of order: each batch must start after the last frame already sent",
                details={"t_ms": times_ms[0], "last_t_ms": last},
            )
        lead_ms = (utcnow() - as_utc(session.created_at)).total_seconds() * 1000 + self.settings.max_lead_s * 1000
        if times_ms[-1] > lead_ms:
            raise InvalidInput(
                "frames too far in the future for this session's clock",
                details={"t_ms": times_ms[-1], "latest_accepted_ms": int(lead_ms)},
            )

    def _decode(self, index: int, data: bytes) -> np.ndarray:
        if sniff_mime(data[:32]) not in ("image/jpeg", "image/png"):
            raise UnsupportedMedia(f"frame {index} is not a JPEG or PNG image", details={"frame": index})
        image = cv2.imdecode(np.frombuffer(data, dtype=np.uint8), cv2.IMREAD_COLOR)
        if image is None:
            raise InvalidMedia(f"frame {index} does not decode", details={"frame": index})
        if max(image.shape[:2]) > self.settings.max_frame_side:
            raise PayloadTooLarge(
                f"frame {index} is {image.shape[1]}x{image.shape[0]}; live frames are at most "
                f"{self.settings.max_frame_side} px a side (320-480 px is plenty)",
                details={"frame": index},
            )
        return image

    def _mark(self, session: LiveSession, status: str) -> None:
        session.status = status
        db.session.commit()

    def _expire_abandoned(self) -> None:
        """Sessions past their expiry lose their running state (a database store keeps it in their rows)."""
        abandoned = db.session.scalars(
            select(LiveSession.id).where(
                LiveSession.status == ACTIVE, LiveSession.expires_at < utcnow(), LiveSession.state.isnot(None)
            )
        ).all()
        if abandoned:
            db.session.execute(delete(LiveSessionRows).where(LiveSessionRows.session_id.in_(abandoned)))
            db.session.execute(
                update(LiveSession).where(LiveSession.id.in_(abandoned)).values(status=EXPIRED, state=None)
            )
        db.session.commit()


CREATE_FIELDS = {"exercise", "keypoint_format", "target_reps", "target_seconds"}
FRAME_FIELDS = {"frames", "t_ms", "image_size", "keypoint_format", "world_frames"}
FINISH_FIELDS = {"log_workout", "weight_kg", "plan_id", "plan_day"}


def _whole_number(value: str):
    try:
        return int(value)
    except (TypeError, ValueError):
        return value


def _cue(appeared: list[PostureIssue]) -> PostureIssue | None:
    """The fault to say now: the most severe of those that just appeared."""
    return min(appeared, key=lambda issue: SEVERITY_ORDER[issue.severity]) if appeared else None
