"""Uploads: stored under the user's folder by a server-chosen name, checked by content, private."""

import pytest

from tests.conftest import assert_error
from tests.helpers import jpeg_bytes, multipart_file, png_bytes, png_header_only


def upload(client, headers, data, name="photo.jpg"):
    return client.post("/api/v1/uploads", headers=headers, data=multipart_file(data, name))


def files_under(path):
    return sorted(p.name for p in path.rglob("*") if p.is_file())


def test_photo_is_stored_under_the_users_folder_with_a_server_name(app, client, user):
    response = upload(client, user["headers"], jpeg_bytes(), "../../etc/passwd.jpg")
    assert response.status_code == 201
    body = response.get_json()
    assert body["mime_type"] == "image/jpeg" and (body["width"], body["height"]) == (64, 48)
    folder = app.config["UPLOAD_DIR"] / str(user["id"])
    stored = files_under(folder)
    assert len(stored) == 1 and "passwd" not in stored[0]
    assert body["original_name"] == "passwd.jpg"


def test_type_is_told_by_content_not_by_name(client, auth_headers):
    body = upload(client, auth_headers, png_bytes(), "clip.mp4").get_json()
    assert body["mime_type"] == "image/png" and body["kind"] == "image"


@pytest.mark.parametrize(
    "data,status,code",
    [
        (b"", 422, "invalid_media"),
        (b"just some text, not an image", 415, "unsupported_media_type"),
        (jpeg_bytes()[:200], 422, "invalid_media"),
        (png_header_only(12_000, 10_000), 413, "payload_too_large"),
        (b"PK\x03\x04" + b"\x00" * 100, 415, "unsupported_media_type"),
    ],
    ids=["empty", "text", "truncated-jpeg", "100-megapixel-png", "zip-as-photo"],
)
def test_bad_uploads_are_refused_and_leave_nothing(app, client, user, data, status, code):
    assert_error(upload(client, user["headers"], data), status, code)
    assert files_under(app.config["UPLOAD_DIR"] / str(user["id"])) == []
    assert client.get("/api/v1/uploads", headers=user["headers"]).get_json()["total"] == 0


def test_missing_file_field_is_a_clear_error(client, auth_headers):
    assert_error(client.post("/api/v1/uploads", headers=auth_headers, data={}), 422, "missing_file")


def test_another_user_gets_404_on_every_operation(client, user, other_user):
    upload_id = upload(client, user["headers"], jpeg_bytes()).get_json()["id"]
    for method, path in [
        ("get", f"/api/v1/uploads/{upload_id}"),
        ("get", f"/api/v1/uploads/{upload_id}/content"),
        ("delete", f"/api/v1/uploads/{upload_id}"),
    ]:
        assert_error(getattr(client, method)(path, headers=other_user["headers"]), 404)
    assert client.get("/api/v1/uploads", headers=other_user["headers"]).get_json()["total"] == 0
    assert client.get(f"/api/v1/uploads/{upload_id}", headers=user["headers"]).status_code == 200


def test_owner_downloads_and_deletes(app, client, user):
    data = jpeg_bytes()
    upload_id = upload(client, user["headers"], data).get_json()["id"]
    content = client.get(f"/api/v1/uploads/{upload_id}/content", headers=user["headers"])
    assert content.data == data and content.mimetype == "image/jpeg"
    assert client.delete(f"/api/v1/uploads/{upload_id}", headers=user["headers"]).status_code == 204
    assert files_under(app.config["UPLOAD_DIR"] / str(user["id"])) == []
    assert_error(client.get(f"/api/v1/uploads/{upload_id}", headers=user["headers"]), 404)


def test_lists_are_paginated_with_totals(client, auth_headers):
    for _ in range(5):
        upload(client, auth_headers, jpeg_bytes())
    page = client.get("/api/v1/uploads?page=2&per_page=2", headers=auth_headers).get_json()
    assert page["total"] == 5 and page["pages"] == 3 and page["page"] == 2 and len(page["items"]) == 2
