"""A client for the FitCoach REST API (/api/v1), with no Kivy import: usable from the app, tests and scripts.

Errors become exceptions with a message fit to show a person (the server's own `message` when there is one):
`NetworkError` (no answer), `AuthError` (401), `Forbidden` (403), `NotFound` (404), `Conflict` (409),
`TooLarge` (413), `UnsupportedMedia` (415), `Invalid` (422), `RateLimited` (429), `ServerError` (5xx).
Tokens live in a JSON file readable by the owner only (mode 0600); an expired access token is refreshed once
with the refresh token and the call is retried.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
from pathlib import Path
from typing import Any

import requests
import simple_websocket

from mobile.api_errors import (  # noqa: F401  (the client's errors, raised and caught as api_client.X)
    ERRORS_BY_STATUS,
    ApiError,
    AuthError,
    Conflict,
    Forbidden,
    Invalid,
    NetworkError,
    NotFound,
    RateLimited,
    ServerError,
    TooLarge,
    UnsupportedMedia,
    error_from_body,
    error_from_response,
)
from mobile.api_transport import ProgressCallback, TokenStore, _multipart

API_PREFIX = "/api/v1"
DEFAULT_URL = "http://127.0.0.1:8000"
DEFAULT_TIMEOUT = 20
UPLOAD_TIMEOUT = 300


def keypoint_batch(frames: list, t_ms: list[int], image_size: tuple[int, int]) -> dict:
    """A live session's batch of keypoint frames, as the frames route and the socket take it."""
    return {"frames": frames, "t_ms": list(t_ms), "image_size": list(image_size)}


class LiveSocket:
    """A live session's WebSocket: a keypoint batch out, its answer back, errors raised as the HTTP route's are."""

    def __init__(self, ws, timeout: float):
        self.ws, self.timeout = ws, timeout

    def send_live_keypoints(self, frames: list, t_ms: list[int], image_size: tuple[int, int]) -> dict:
        body = keypoint_batch(frames, t_ms, image_size)
        try:
            self.ws.send(json.dumps(body))
            text = self.ws.receive(timeout=self.timeout)
        except (simple_websocket.ConnectionClosed, OSError) as exc:
            raise NetworkError("the live connection to the server was lost") from exc
        if text is None:
            raise NetworkError("the server took too long to answer; try again")
        try:
            answer = json.loads(text)
        except ValueError as exc:
            raise ServerError("the server sent an answer the app cannot read") from exc
        if "error" in answer:
            raise error_from_body(answer.get("status") or 500, answer)
        return answer

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.ws.close()


class ApiClient:
    """One user's session with a FitCoach server. Thread-safe enough for one call at a time per thread."""

    def __init__(self, base_url: str = DEFAULT_URL, token_path: str | os.PathLike | None = None, timeout: float = 0):
        self.base_url = base_url
        self.tokens = TokenStore(token_path)
        self.timeout = timeout or DEFAULT_TIMEOUT
        self.session = requests.Session()
        self._refresh_lock = threading.Lock()

    # -- plumbing ---------------------------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        return self._base_url

    @base_url.setter
    def base_url(self, value: str) -> None:
        value = (value or DEFAULT_URL).strip().rstrip("/")
        if value.endswith(API_PREFIX):
            value = value[: -len(API_PREFIX)]
        if "://" not in value:
            value = "http://" + value
        self._base_url = value

    def url(self, path: str) -> str:
        return f"{self._base_url}{API_PREFIX}{path}"

    @property
    def signed_in(self) -> bool:
        return bool(self.tokens.access or self.tokens.refresh)

    @property
    def user(self) -> dict | None:
        return self.tokens.user

    def _send(self, method: str, path: str, *, token: str | None, timeout: float | None = None, **kwargs):
        headers = kwargs.pop("headers", {}) or {}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        try:
            return self.session.request(
                method, self.url(path), headers=headers, timeout=timeout or self.timeout, **kwargs
            )  # fmt: skip
        except requests.Timeout as exc:
            raise NetworkError("the server took too long to answer; try again") from exc
        except requests.RequestException as exc:
            raise self._unreachable() from exc

    def _unreachable(self) -> NetworkError:
        return NetworkError(f"cannot reach the server at {self._base_url}; check the address and your network")

    def request(self, method: str, path: str, *, auth: bool = True, raw: bool = False, body_factory=None, **kwargs):
        """Send a call; on 401 with a refresh token, refresh once and retry. Returns JSON (or the response)."""
        if body_factory:
            kwargs.update(body_factory())
        response = self._send(method, path, token=self.tokens.access if auth else None, **kwargs)
        if response.status_code == 401 and auth and self.tokens.refresh:
            used = response.request.headers.get("Authorization", "")
            self._refresh_after_401(used)
            if body_factory:
                kwargs.update(body_factory())
            response = self._send(method, path, token=self.tokens.access, **kwargs)
        if response.status_code >= 400:
            error = error_from_response(response)
            if isinstance(error, AuthError) and auth:
                error.message = "your session has ended; sign in again"
            raise error
        if raw:
            return response
        if response.status_code == 204 or not response.content:
            return None
        try:
            return response.json()
        except ValueError as exc:
            raise ServerError("the server sent an answer the app cannot read") from exc

    def _refresh_after_401(self, used_header: str) -> None:
        with self._refresh_lock:
            if self.tokens.access and used_header != f"Bearer {self.tokens.access}":
                return  # another thread refreshed meanwhile
            try:
                self.refresh()
            except AuthError:
                self.tokens.clear()
                raise AuthError("your session has ended; sign in again", code="session_ended") from None

    # -- accounts -----------------------------------------------------------------------------------------------
    def register(self, email: str, password: str, name: str) -> dict:
        return self.request("POST", "/auth/register", auth=False, json={"email": email, "password": password,
                                                                          "name": name})  # fmt: skip

    def login(self, email: str, password: str) -> dict:
        data = self.request("POST", "/auth/login", auth=False, json={"email": email, "password": password})
        self.tokens.clear()
        self.tokens.update(access_token=data["access_token"], refresh_token=data["refresh_token"], user=data["user"])
        return data

    def refresh(self) -> str:
        """A new access token from the refresh token (raises AuthError when it is expired or revoked)."""
        if not self.tokens.refresh:
            raise AuthError("not signed in")
        response = self._send("POST", "/auth/refresh", token=self.tokens.refresh)
        if response.status_code >= 400:
            raise error_from_response(response)
        access = response.json()["access_token"]
        self.tokens.update(access_token=access)
        return access

    def logout(self) -> None:
        """Revoke both tokens on the server (best effort) and forget them here."""
        for token in (self.tokens.access, self.tokens.refresh):
            if token:
                with contextlib.suppress(NetworkError):
                    self._send("POST", "/auth/logout", token=token)
        self.tokens.clear()

    def me(self) -> dict:
        data = self.request("GET", "/users/me")
        self.tokens.update(user={k: data.get(k) for k in ("id", "email", "name", "role")})
        return data

    def update_profile(self, **changes) -> dict:
        return self.request("PATCH", "/users/me", json=changes)

    # -- analyses -----------------------------------------------------------------------------------------------
    def analyse(self, path: str | os.PathLike, exercise: str | None = None,
                progress: ProgressCallback | None = None) -> dict:  # fmt: skip
        """Upload a photo or clip for analysis; `progress(sent, total)` is called as bytes go out."""
        path = Path(path)
        if not path.is_file():
            raise Invalid(f"no such file: {path.name}")
        fields = {"exercise": exercise} if exercise else {}

        def body():
            data, content_type = _multipart(path, fields, progress)
            return {"data": data, "headers": {"Content-Type": content_type}}

        return self.request("POST", "/analyses", body_factory=body, timeout=UPLOAD_TIMEOUT)

    def analyses(self, page: int = 1, per_page: int = 20, exercise: str | None = None) -> dict:
        params = {"page": page, "per_page": per_page}
        if exercise:
            params["exercise"] = exercise
        return self.request("GET", "/analyses", params=params)

    def analysis(self, analysis_id: int) -> dict:
        return self.request("GET", f"/analyses/{analysis_id}")

    def delete_analysis(self, analysis_id: int) -> None:
        self.request("DELETE", f"/analyses/{analysis_id}")

    def annotated(self, analysis_id: int) -> bytes:
        """The annotated JPEG."""
        return self.request("GET", f"/analyses/{analysis_id}/annotated", raw=True).content

    # -- live sessions ------------------------------------------------------------------------------------------
    def create_live_session(self, exercise: str, keypoint_format: str = "coco17", target_reps: int | None = None,
                            target_seconds: int | None = None) -> dict:  # fmt: skip
        """Start a live session; frames then come with `send_live_keypoints` or `send_live_jpegs`."""
        body = {"exercise": exercise, "keypoint_format": keypoint_format}
        body |= {k: v for k, v in (("target_reps", target_reps), ("target_seconds", target_seconds)) if v}
        return self.request("POST", "/live-sessions", json=body)

    def live_session(self, session_id: int) -> dict:
        return self.request("GET", f"/live-sessions/{session_id}")

    def send_live_keypoints(self, session_id: int, frames: list, t_ms: list[int], image_size: tuple[int, int]) -> dict:
        """Keypoints found on the device, `(17, 3)` per frame; the answer is what happened since the last call."""
        body = keypoint_batch(frames, t_ms, image_size)
        return self.request("POST", f"/live-sessions/{session_id}/frames", json=body)

    def send_live_jpegs(self, session_id: int, jpegs: list[bytes], t_ms: list[int]) -> dict:
        """JPEG frames for pose on the server; the answer also carries the main person's pose per frame."""
        files = [("frames", (f"{t}.jpg", data, "image/jpeg")) for t, data in zip(t_ms, jpegs, strict=True)]
        return self.request("POST", f"/live-sessions/{session_id}/frames", files=files,
                            data=[("t_ms", str(t)) for t in t_ms])  # fmt: skip

    def open_live_socket(self, session_id: int) -> LiveSocket | None:
        """The session's WebSocket, for keypoint batches with less overhead than a request each; None when the
        server answers without one (an older server, workers that are not threaded, or any refusal, which the HTTP
        route then gives in full). A server out of reach raises `NetworkError`."""
        url = self.url(f"/live-sessions/{session_id}/socket").replace("http", "ws", 1)
        for attempt in range(2):
            try:
                ws = simple_websocket.Client.connect(url, headers={"Authorization": f"Bearer {self.tokens.access}"})
                return LiveSocket(ws, self.timeout)
            except simple_websocket.ConnectionError as exc:
                if exc.status_code != 401 or attempt or not self.tokens.refresh:
                    return None
                self._refresh_after_401(f"Bearer {self.tokens.access}")
            except OSError as exc:
                raise self._unreachable() from exc
        return None

    def finish_live_session(self, session_id: int, log_workout: bool = False, weight_kg: float | None = None) -> dict:
        """End the set: `{session, analysis, workout_id}`, logged as a workout when asked."""
        body: dict[str, Any] = {"log_workout": log_workout}
        if weight_kg is not None:
            body["weight_kg"] = weight_kg
        return self.request("POST", f"/live-sessions/{session_id}/finish", json=body)

    def delete_live_session(self, session_id: int) -> None:
        self.request("DELETE", f"/live-sessions/{session_id}")

    # -- catalogue, plans, workouts, progress ---------------------------------------------------------------------
    def exercises(self, page: int = 1, per_page: int = 100) -> dict:
        return self.request("GET", "/exercises", auth=False, params={"page": page, "per_page": per_page})

    def plans(self, page: int = 1, per_page: int = 20) -> dict:
        return self.request("GET", "/plans", params={"page": page, "per_page": per_page})

    def create_plan(self, **options) -> dict:
        return self.request("POST", "/plans", json=options)

    def plan(self, plan_id: int) -> dict:
        return self.request("GET", f"/plans/{plan_id}")

    def log_workout(self, **workout) -> dict:
        """POST /workouts: date, exercises [{exercise, sets [{reps, weight_kg, rpe, duration_s}]}], plan_id,
        plan_day, analysis_id, duration_min, notes."""
        return self.request("POST", "/workouts", json=workout)

    def workouts(self, page: int = 1, per_page: int = 20) -> dict:
        return self.request("GET", "/workouts", params={"page": page, "per_page": per_page})

    def progress(self, date_from: str | None = None, date_to: str | None = None) -> dict:
        params = {k: v for k, v in (("from", date_from), ("to", date_to)) if v}
        return self.request("GET", "/progress", params=params)

    def add_body_metric(self, **metric) -> dict:
        return self.request("POST", "/body-metrics", json=metric)

    def body_metrics(self, page: int = 1, per_page: int = 100) -> dict:
        return self.request("GET", "/body-metrics", params={"page": page, "per_page": per_page})

    # -- training (admins) ---------------------------------------------------------------------------------------
    def training_jobs(self, page: int = 1, per_page: int = 20) -> dict:
        return self.request("GET", "/training-jobs", params={"page": page, "per_page": per_page})

    def training_job(self, job_id: int) -> dict:
        return self.request("GET", f"/training-jobs/{job_id}")

    def training_metrics(self, job_id: int) -> dict:
        return self.request("GET", f"/training-jobs/{job_id}/metrics")

    def models(self, page: int = 1, per_page: int = 20) -> dict:
        return self.request("GET", "/models", params={"page": page, "per_page": per_page})

    def activate_model(self, model_id: int) -> dict:
        return self.request("POST", f"/models/{model_id}/activate")

    def health(self) -> Any:
        return self.request("GET", "/health", auth=False)
