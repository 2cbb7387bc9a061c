"""Live sessions over a WebSocket: the frames route's messages without a request per batch.

`GET /api/v1/live-sessions/<id>/socket` with `Authorization: Bearer <access token>` upgrades to a WebSocket once
the token, the owner and the session are checked (a JSON error otherwise, as from any route). Each text message is
one keypoint batch, the body `POST .../frames` takes; each answer is the body that route answers, or the API's
error body with its HTTP `status` beside it. `finish` and `delete` stay HTTP. The socket holds a worker thread, so
it needs threaded workers (`GUNICORN_THREADS` > 1); elsewhere the upgrade is refused with 503 and the HTTP route
carries the batches.
"""

from __future__ import annotations

import json

from flask import Blueprint, current_app, request
from flask_jwt_extended import verify_jwt_in_request
from flask_restx import marshal
from flask_sock import Sock

from api.errors import error_status_and_body
from api.exceptions import InvalidInput, ServiceUnavailable, UnsupportedMedia
from api.extensions import db
from api.models import LiveSession
from api.ownership import get_owned
from api.resources.common import caller_id
from api.resources.schemas import live_update
from api.services.live_sessions import HeldState, LiveService

blueprint = Blueprint("api_v1_live_socket", __name__, url_prefix="/api/v1")
sock = Sock()


@blueprint.before_request
def admit():
    """Token, owner, an active session and threaded workers, checked before the upgrade."""
    verify_jwt_in_request()
    live = LiveService.from_config(current_app.config)
    live.check_active(get_owned(LiveSession, caller_id(), request.view_args["session_id"]))
    if not request.environ.get("wsgi.multithread"):
        raise ServiceUnavailable(
            "this server's workers are not threaded, so it cannot hold a WebSocket; send the batches to "
            "POST /live-sessions/<id>/frames (or run gunicorn with GUNICORN_THREADS > 1)"
        )


@sock.route("/live-sessions/<int:session_id>/socket", bp=blueprint)
def live_socket(ws, session_id: int):
    """Answer each batch the socket brings until the client closes it or stays silent for the session's TTL."""
    live, held = LiveService.from_config(current_app.config), HeldState()
    session = get_owned(LiveSession, caller_id(), session_id)
    db.session.expunge(session)  # kept between batches; its status is checked again whenever a write is refused
    db.session.remove()  # the checks' connection goes back to the pool before the socket waits
    while True:
        message = ws.receive(timeout=live.settings.ttl_s)
        if message is None:
            ws.close(message="no frames for the session's time to live")
            return
        ws.send(json.dumps(answer(live, held, session, message)))


def answer(live, held: HeldState, session, message) -> dict:
    """One batch's answer, or the API's error body with the status the HTTP route would have given."""
    try:
        if isinstance(message, bytes):
            raise UnsupportedMedia("send keypoint batches as JSON text messages (JPEG frames go over HTTP)")
        try:
            body = json.loads(message)
        except ValueError:
            body = None
        if not isinstance(body, dict):
            raise InvalidInput("each message must be a JSON object", code="invalid_json")
        update = live.add_keypoints(session, body, held)
        return marshal(update, live_update)
    except Exception as exc:  # every failure is answered in the API's error shape, as the HTTP route would
        status, error = error_status_and_body(exc)
        return {**error, "status": status}
    finally:
        db.session.remove()  # no connection or transaction kept while the socket waits


def socket_options(config) -> dict:
    """simple-websocket's server options from the app's config."""
    return {
        "max_message_size": config["LIVE_MAX_MESSAGE_BYTES"],
        "ping_interval": config["LIVE_PING_INTERVAL_S"],
        "receive_bytes": 65536,
    }


def register(app) -> None:
    app.config["SOCK_SERVER_OPTIONS"] = socket_options(app.config)
    app.register_blueprint(blueprint)
