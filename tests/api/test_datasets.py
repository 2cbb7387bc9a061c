"""Datasets through the API: upload in both layouts, list, read the report, delete; refusals list their problems
and leave nothing on disk; other users see nothing."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

from tests.conftest import assert_error
from tests.helpers import jpeg_bytes
from tests.shapes import SHAPES, classification_files, detection_files, zip_bytes

URL = "/api/v1/datasets"


def upload(client, headers, archive: bytes, name: str | None = "shapes", filename: str = "shapes.zip"):
    data = {"file": (io.BytesIO(archive), filename)}
    if name:
        data["name"] = name
    return client.post(URL, data=data, headers=headers, content_type="multipart/form-data")


def user_folder(app, user) -> Path:
    return Path(app.config["DATASET_DIR"]) / str(user["id"])


def leftovers(app, user) -> list[str]:
    folder = user_folder(app, user)
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_a_classification_zip_is_accepted_with_its_report(client, app, user):
    response = upload(client, user["headers"], zip_bytes(classification_files(per_class=6)))
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert response.headers["Location"].endswith(f"{URL}/{body['id']}")
    assert (body["name"], body["task"], body["layout"], body["class_names"]) == (
        "shapes", "classify", "class-folders", list(SHAPES),
    )  # fmt: skip
    assert body["image_count"] == 18 and body["size_bytes"] > 0
    report = body["report"]
    assert report["split"]["made"] and report["split"]["seed"] == app.config["DATASET_SPLIT_SEED"]
    assert [row["class"] for row in report["class_balance"]] == list(SHAPES)
    assert all(report["splits"]["val"]["instances"][shape] >= 1 for shape in SHAPES)
    assert leftovers(app, user) == [str(body["id"])]


def test_a_detection_zip_is_accepted_and_named_after_its_file(client, app, user):
    response = upload(client, user["headers"], zip_bytes(detection_files(per_class=4)), name=None, filename="gym.zip")
    body = response.get_json()
    assert response.status_code == 201 and (body["name"], body["task"], body["layout"]) == ("gym", "detect", "yolo")
    assert sum(body["report"]["splits"]["val"]["instances"].values()) >= 3
    assert (user_folder(app, user) / str(body["id"]) / "labels" / "val").is_dir()


def test_datasets_are_listed_read_and_deleted_by_their_owner_only(client, app, user, other_user):
    dataset_id = upload(client, user["headers"], zip_bytes(classification_files(per_class=4))).get_json()["id"]
    listed = client.get(URL, headers=user["headers"]).get_json()
    assert listed["total"] == 1 and listed["items"][0]["id"] == dataset_id and "report" not in listed["items"][0]
    assert client.get(URL, headers=other_user["headers"]).get_json()["total"] == 0
    assert client.get(f"{URL}?task=detect", headers=user["headers"]).get_json()["total"] == 0
    assert client.get(f"{URL}/{dataset_id}", headers=user["headers"]).get_json()["report"]["image_count"] == 12
    assert_error(client.get(f"{URL}/{dataset_id}", headers=other_user["headers"]), 404, "not_found")
    assert_error(client.delete(f"{URL}/{dataset_id}", headers=other_user["headers"]), 404, "not_found")
    assert client.delete(f"{URL}/{dataset_id}", headers=user["headers"]).status_code == 204
    assert_error(client.get(f"{URL}/{dataset_id}", headers=user["headers"]), 404)
    assert leftovers(app, user) == []


def bad_detection_labels() -> dict:
    files = detection_files(per_class=3)
    files["labels/circle_0.txt"] = b"9 0.5 0.5 0.2 0.2\n"
    files["labels/circle_1.txt"] = b"0 0.5 1.7 0.2 0.2\n"
    files["images/broken.jpg"] = b"\xff\xd8\xff broken"
    files["labels/broken.txt"] = b"0 0.5 0.5 0.2 0.2\n"
    files["images/unlabelled.jpg"] = jpeg_bytes()
    return files


def bomb() -> bytes:
    return zip_bytes({**classification_files(per_class=3), "padding.bin": bytes(8 * 2**20)})


MALFORMED = {
    "zip_slip": (lambda: zip_bytes({**classification_files(per_class=3), "../../evil.py": b"x"}), {"path_escapes"}),
    "link": (lambda: zip_bytes(classification_files(per_class=3), links={"circle/l.jpg": "/etc/passwd"}), {"link"}),
    "bomb": (bomb, {"compression_ratio"}),
    "labels": (
        lambda: zip_bytes(bad_detection_labels()),
        {"bad_class_id", "coordinates_out_of_range", "undecodable_image", "image_without_label"},
    ),
    "one_class": (lambda: zip_bytes({f"circle/{i}.jpg": jpeg_bytes() for i in range(3)}), {"too_few_classes"}),
}


@pytest.mark.parametrize("kind", MALFORMED)
def test_a_malformed_dataset_is_refused_with_its_problems_and_leaves_nothing(client, app, user, kind):
    make, expected = MALFORMED[kind]
    error = assert_error(upload(client, user["headers"], make()), 422, "invalid_dataset")
    assert set(error["details"]["counts"]) == expected
    assert all(error["details"]["problems"][problem] for problem in expected)
    assert leftovers(app, user) == []
    assert client.get(URL, headers=user["headers"]).get_json()["total"] == 0


def test_too_many_files_and_too_many_bytes_are_refused(client, app, user, monkeypatch):
    monkeypatch.setitem(app.config, "DATASET_MAX_FILES", 5)
    monkeypatch.setitem(app.config, "DATASET_MAX_UNPACKED_MB", 1)
    archive = zip_bytes({**classification_files(per_class=3), "noise.bin": os.urandom(2 * 2**20)})
    error = assert_error(upload(client, user["headers"], archive), 422, "invalid_dataset")
    assert set(error["details"]["counts"]) == {"too_many_files", "too_large"}
    assert leftovers(app, user) == []


def test_an_upload_that_is_not_a_zip_is_refused_by_content(client, app, user):
    assert_error(upload(client, user["headers"], jpeg_bytes(), filename="fake.zip"), 415, "unsupported_media_type")
    assert leftovers(app, user) == []


def test_an_archive_over_the_upload_limit_is_refused(client, app, user, monkeypatch):
    monkeypatch.setitem(app.config, "DATASET_MAX_UPLOAD_MB", 1)
    archive = zip_bytes({**classification_files(per_class=3), "noise.bin": os.urandom(2 * 2**20)})
    assert_error(upload(client, user["headers"], archive), 413)
    assert leftovers(app, user) == []


def test_the_file_field_is_required(client, user):
    response = client.post(URL, data={"name": "x"}, headers=user["headers"], content_type="multipart/form-data")
    assert_error(response, 422, "missing_file")
