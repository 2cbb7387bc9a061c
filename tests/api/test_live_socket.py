"""Live sessions over the WebSocket, against the real app served by a threaded server on loopback: the same answers
as the HTTP route, errors in the API's shape without dropping the socket, the checks before the upgrade, and
another writer caught by the compare-and-set."""

import json
import threading

import pytest
import simple_websocket
from werkzeug.serving import make_server

from tests.api.test_live_sessions import API, SIZE, feed, push_up_frames, start
from tests.helpers import WEBSOCKET_UPGRADE

FPS = 15


@pytest.fixture(params=["database", "redis"])
def store(request):
    """Each test below runs with the session state in the database and then in Redis."""
    if request.param == "redis":
        request.getfixturevalue("redis_store")
    return request.param


@pytest.fixture
def server(app):
    """The test app on a real threaded server (a WebSocket needs a socket), stopped after the test."""
    served = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=served.serve_forever, daemon=True)
    thread.start()
    yield f"127.0.0.1:{served.server_port}"
    served.shutdown()
    thread.join()


def connect(server, headers, session_id):
    return simple_websocket.Client.connect(f"ws://{server}{API}/{session_id}/socket", headers=headers)


def batches(frames, size, first_index=0):
    for begin in range(0, len(frames), size):
        chunk = frames[begin : begin + size]
        t_ms = [round((first_index + begin + i) * 1000 / FPS) for i in range(len(chunk))]
        yield {"frames": chunk, "t_ms": t_ms, "image_size": SIZE}


def ask(ws, body) -> dict:
    ws.send(body if isinstance(body, str | bytes) else json.dumps(body))
    return json.loads(ws.receive(timeout=30))


def test_socket_answers_are_the_http_answers(client, auth_headers, server):
    frames = push_up_frames(3, hip_offsets=[0.0, 45.0, 0.0])
    over_http = start(client, auth_headers)
    expected = feed(client, auth_headers, over_http["id"], frames, size=7)
    over_socket = start(client, auth_headers)
    ws = connect(server, auth_headers, over_socket["id"])
    try:
        answers = [ask(ws, body) for body in batches(frames, 7)]
    finally:
        ws.close()
    assert answers == expected
    assert [rep["index"] for answer in answers for rep in answer["reps"]] == [1, 2, 3]
    assert any(answer["cue"] and answer["cue"]["code"] == "hips_sagging" for answer in answers)
    finished = client.post(f"{API}/{over_socket['id']}/finish", headers=auth_headers, json={}).get_json()
    assert finished["analysis"]["reps"]["count"] == 3


def test_a_bad_message_is_answered_with_the_api_error_and_the_socket_stays_open(client, auth_headers, server):
    session = start(client, auth_headers)
    frames = push_up_frames(1)
    ws = connect(server, auth_headers, session["id"])
    try:
        assert ask(ws, "not json")["error"]["code"] == "invalid_json"
        assert ask(ws, b"\xff\xd8\xff")["status"] == 415
        wrong = ask(ws, {"frames": frames[:2], "t_ms": [0], "image_size": SIZE})
        assert wrong["status"] == 422 and wrong["error"]["details"] == {"frames": 2, "t_ms": 1}
        first = ask(ws, next(batches(frames, 5)))
        assert first["duplicate"] is False and first["phase"] is not None
        assert ask(ws, next(batches(frames, 5)))["duplicate"] is True
        late = ask(ws, {"frames": frames[:1], "t_ms": [0], "image_size": SIZE})
        assert late["status"] == 422 and late["error"]["details"]["last_t_ms"] == 267
    finally:
        ws.close()


def test_a_batch_written_over_http_meanwhile_is_not_lost(client, auth_headers, server, store):
    """The socket holds the state it saved; a batch sent over HTTP in between moves the version on, and the
    socket's next batch is measured after it, not over it."""
    session = start(client, auth_headers)
    frames = push_up_frames(2)
    sent = list(batches(frames, 10))
    ws = connect(server, auth_headers, session["id"])
    try:
        ask(ws, sent[0])
        http = client.post(f"{API}/{session['id']}/frames", headers=auth_headers, json=sent[1])
        assert http.status_code == 200
        answers = [ask(ws, body) for body in sent[2:]]
    finally:
        ws.close()
    assert answers[-1]["rep_count"] == 2
    finished = client.post(f"{API}/{session['id']}/finish", headers=auth_headers, json={}).get_json()
    assert finished["analysis"]["timing"]["frames_analysed"] == len(frames)


@pytest.mark.parametrize("who,status", [("nobody", 401), ("another user", 404)])
def test_only_the_owner_gets_a_socket(client, auth_headers, other_user, server, who, status):
    session = start(client, auth_headers)
    headers = {} if who == "nobody" else other_user["headers"]
    with pytest.raises(simple_websocket.ConnectionError) as refused:
        connect(server, headers, session["id"])
    assert refused.value.status_code == status


def test_the_upgrade_is_refused_with_the_api_error_before_any_socket(client, auth_headers, app):
    """Checked through the app itself: the refusals are ordinary JSON errors (a finished session, no session,
    a server whose workers are not threaded)."""
    session = start(client, auth_headers)
    frames = push_up_frames(1)
    feed(client, auth_headers, session["id"], frames)
    client.post(f"{API}/{session['id']}/finish", headers=auth_headers, json={})
    upgrade = {**auth_headers, **WEBSOCKET_UPGRADE}
    threaded = {"wsgi.multithread": True}
    finished = client.get(f"{API}/{session['id']}/socket", headers=upgrade, environ_overrides=threaded)
    assert finished.status_code == 409 and finished.get_json()["error"]["details"] == {"status": "finished"}
    missing = client.get(f"{API}/999999/socket", headers=upgrade, environ_overrides=threaded)
    assert missing.status_code == 404
    active = start(client, auth_headers)
    single = client.get(f"{API}/{active['id']}/socket", headers=upgrade, environ_overrides={"wsgi.multithread": False})
    assert single.status_code == 503 and "GUNICORN_THREADS" in single.get_json()["error"]["message"]


@pytest.mark.parametrize("ended_by,status", [("finish", 409), ("delete", 404)])
def test_a_session_ended_over_http_refuses_the_sockets_next_batch(
    client, auth_headers, server, store, ended_by, status
):
    session = start(client, auth_headers)
    sent = list(batches(push_up_frames(1), 10))
    ws = connect(server, auth_headers, session["id"])
    try:
        assert "error" not in ask(ws, sent[0])
        if ended_by == "finish":
            assert client.post(f"{API}/{session['id']}/finish", headers=auth_headers, json={}).status_code == 200
        else:
            assert client.delete(f"{API}/{session['id']}", headers=auth_headers).status_code == 204
        refused = ask(ws, sent[1])
    finally:
        ws.close()
    assert refused["status"] == status
