"""The model registry: own models only, activation that every worker sees on its next request and that switches
recognition's answer, and downloads as PyTorch or ONNX (exported once), with a clear answer for TFLite."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import cv2
import numpy as np
import pytest

from api.extensions import db
from api.ml.training import TrainingConfig, train
from api.models import ModelVersion, User
from api.services.model_training import registry
from tests.conftest import assert_error
from tests.shapes import jpeg, shape_image

URL = "/api/v1/models"
EXERCISE_CLASSES = ("lunge", "push_up", "squat")  # shapes standing in for exercises: any labels will do


@pytest.fixture(scope="module")
def trained_weights(tmp_path_factory) -> Path:
    """A real YOLO11n classifier trained for one epoch on tiny shapes named after exercises."""
    from api.ml.pose import default_pose_weights

    root = tmp_path_factory.mktemp("registry-data")
    for index, (label, shape) in enumerate(zip(EXERCISE_CLASSES, ("circle", "square", "triangle"), strict=True)):
        for i in range(6):
            folder = root / ("val" if i >= 4 else "train") / label
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"{index}_{i}.jpg").write_bytes(jpeg(shape_image(shape, i)[0]))
    config = TrainingConfig(task="classify", epochs=1, imgsz=64, batch=8, start="pose",
                            start_weights=str(default_pose_weights()))  # fmt: skip
    return train(config, str(root), root / "run").best_weights


@pytest.fixture
def placeholder_weights(tmp_path) -> Path:
    """Stands in for weights where a test never loads them (listing, activation, refusals)."""
    path = tmp_path / "placeholder.pt"
    path.write_bytes(b"weights")
    return path


def register(app, user: dict, weights: Path, name: str = "shapes") -> int:
    """A model version as a successful job registers it, its weights in the user's model folder."""
    with app.app_context():
        folder = Path(app.config["ARTIFACT_DIR"]) / "models" / str(user["id"]) / name
        folder.mkdir(parents=True)
        shutil.copy2(weights, folder / "model.pt")
        version = ModelVersion(
            user_id=user["id"], name=name, task="classify", class_names=list(EXERCISE_CLASSES),
            metrics={"top1": 0.5, "imgsz": 64}, weights_path=str(folder / "model.pt"),
            size_bytes=weights.stat().st_size, inference_ms=3.0,
        )  # fmt: skip
        db.session.add(version)
        db.session.commit()
        return version.id


def test_models_are_listed_and_read_by_their_owner_only(client, app, user, other_user, placeholder_weights):
    model_id = register(app, user, placeholder_weights)
    listed = client.get(URL, headers=user["headers"]).get_json()
    assert listed["total"] == 1 and listed["items"][0]["class_names"] == list(EXERCISE_CLASSES)
    assert client.get(f"{URL}?task=detect", headers=user["headers"]).get_json()["total"] == 0
    body = client.get(f"{URL}/{model_id}", headers=user["headers"]).get_json()
    assert (body["task"], body["metrics"]["top1"], body["is_active"]) == ("classify", 0.5, False)
    assert "pt" in body["formats"] and "onnx" in body["formats"]
    assert client.get(URL, headers=other_user["headers"]).get_json()["total"] == 0
    for path in ("", "/activate", "/deactivate", "/download"):
        method = client.post if path.endswith("activate") else client.get
        assert_error(method(f"{URL}/{model_id}{path}", headers=other_user["headers"]), 404, "not_found")


def test_one_model_is_active_per_user_and_deactivating_returns_to_the_shipped_one(
    client, app, user, placeholder_weights
):
    first, second = register(app, user, placeholder_weights, "a"), register(app, user, placeholder_weights, "b")
    with app.app_context():
        assert registry.active_recognizer_for(user["id"]) is None
    assert client.post(f"{URL}/{first}/activate", headers=user["headers"]).get_json()["is_active"]
    body = client.post(f"{URL}/{second}/activate", headers=user["headers"]).get_json()
    assert body["is_active"] and body["activated_at"]
    assert not client.get(f"{URL}/{first}", headers=user["headers"]).get_json()["is_active"]
    with app.app_context():
        model_id, weights, task, classes = registry.active_recognizer_for(user["id"])
    assert (model_id, task, classes) == (second, "classify", list(EXERCISE_CLASSES)) and weights.endswith("model.pt")
    assert not client.post(f"{URL}/{second}/deactivate", headers=user["headers"]).get_json()["is_active"]
    with app.app_context():
        assert registry.active_recognizer_for(user["id"]) is None


@pytest.mark.slow
def test_weights_download_as_pytorch_and_onnx_exported_once(client, app, user, trained_weights):
    model_id = register(app, user, trained_weights)
    response = client.get(f"{URL}/{model_id}/download", headers=user["headers"])
    assert response.status_code == 200 and response.data == trained_weights.read_bytes()
    assert f"fitcoach-model-{model_id}.pt" in response.headers["Content-Disposition"]
    response = client.get(f"{URL}/{model_id}/download?format=onnx", headers=user["headers"])
    assert response.status_code == 200
    with app.app_context():
        onnx_path = Path(db.session.get(ModelVersion, model_id).weights_path).with_suffix(".onnx")
    exported_at = onnx_path.stat().st_mtime_ns
    assert client.get(f"{URL}/{model_id}/download?format=onnx", headers=user["headers"]).data == response.data
    assert onnx_path.stat().st_mtime_ns == exported_at

    import onnxruntime

    session = onnxruntime.InferenceSession(response.data, providers=["CPUExecutionProvider"])
    (output,) = session.run(None, {session.get_inputs()[0].name: np.zeros((1, 3, 64, 64), np.float32)})
    assert output.shape == (1, len(EXERCISE_CLASSES))


def test_a_format_whose_exporter_is_missing_is_refused_clearly(client, app, user, placeholder_weights, monkeypatch):
    monkeypatch.setitem(registry.EXPORT_NEEDS, "tflite", "no_such_exporter")
    model_id = register(app, user, placeholder_weights)
    error = assert_error(client.get(f"{URL}/{model_id}/download?format=tflite", headers=user["headers"]), 422)
    assert error["code"] == "format_unavailable" and "no_such_exporter" in error["message"]
    assert error["details"]["available"] == ["pt", "onnx"]
    assert_error(client.get(f"{URL}/{model_id}/download?format=gif", headers=user["headers"]), 422)


@pytest.mark.slow
def test_weights_download_as_tflite_exported_once_and_run_by_litert(client, app, user, trained_weights):
    from ai_edge_litert.interpreter import Interpreter

    model_id = register(app, user, trained_weights)
    response = client.get(f"{URL}/{model_id}/download?format=tflite", headers=user["headers"])
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert f"fitcoach-model-{model_id}.tflite" in response.headers["Content-Disposition"]
    with app.app_context():
        tflite_path = Path(db.session.get(ModelVersion, model_id).weights_path).with_suffix(".tflite")
    exported_at = tflite_path.stat().st_mtime_ns
    assert client.get(f"{URL}/{model_id}/download?format=tflite", headers=user["headers"]).data == response.data
    assert tflite_path.stat().st_mtime_ns == exported_at

    interpreter = Interpreter(model_content=response.data)
    interpreter.allocate_tensors()
    (model_input,), (model_output,) = interpreter.get_input_details(), interpreter.get_output_details()
    interpreter.set_tensor(model_input["index"], np.zeros(model_input["shape"], np.float32))
    interpreter.invoke()
    assert interpreter.get_tensor(model_output["index"]).shape[-1] == len(EXERCISE_CLASSES)


@pytest.mark.slow
def test_activation_switches_recognition_in_another_worker_on_its_next_request(client, app, user, trained_weights):
    import ultralytics

    from api import create_app
    from api.config import TestingConfig
    from api.ml import runtime
    from api.ml.active_model import YoloClassifierRecognizer
    from api.ml.recognition import LABELS
    from api.services.analyses import recognizer_for

    photo = cv2.imread(str(Path(ultralytics.__file__).parent / "assets" / "zidane.jpg"))
    pose_frame = runtime.pose_estimator().detect(photo)
    other_worker = create_app(TestingConfig())  # its own engine, sessions and caches, the same database
    model_id = register(app, user, trained_weights)

    def answer():
        with other_worker.app_context():
            recognizer = recognizer_for(db.session.get(User, user["id"]))
            return recognizer, recognizer.recognize(photo, pose_frame)

    shipped, before = answer()
    assert not isinstance(shipped, YoloClassifierRecognizer)
    assert {row["label"] for row in before.top5} <= set(LABELS) and len(before.top5) == 5

    client.post(f"{URL}/{model_id}/activate", headers=user["headers"])
    mine, after = answer()
    assert isinstance(mine, YoloClassifierRecognizer)
    assert {row["label"] for row in after.top5} == set(EXERCISE_CLASSES)
    assert after.label in (*EXERCISE_CLASSES, None) and after.top5 != before.top5
    assert answer()[0] is mine  # loaded once, kept while active

    client.post(f"{URL}/{model_id}/deactivate", headers=user["headers"])
    assert answer()[1].top5 == before.top5


@pytest.mark.slow
def test_the_next_photo_analysis_uses_the_activated_model(client, app, user, trained_weights):
    import ultralytics

    photo = (Path(ultralytics.__file__).parent / "assets" / "zidane.jpg").read_bytes()

    def top5_labels() -> set[str]:
        response = client.post(
            "/api/v1/analyses", headers=user["headers"], data={"file": (io.BytesIO(photo), "zidane.jpg")}
        )
        assert response.status_code == 201, response.get_json()
        return {row["label"] for row in response.get_json()["exercise"]["top5"]}

    assert not top5_labels() <= set(EXERCISE_CLASSES)
    model_id = register(app, user, trained_weights)
    client.post(f"{URL}/{model_id}/activate", headers=user["headers"])
    assert top5_labels() == set(EXERCISE_CLASSES)
    client.post(f"{URL}/{model_id}/deactivate", headers=user["headers"])
    assert not top5_labels() <= set(EXERCISE_CLASSES)


@pytest.mark.parametrize("fmt", ["onnx", "tflite"])
def test_weights_that_cannot_be_exported_are_a_clear_422(client, app, user, placeholder_weights, fmt):
    model_id = register(app, user, placeholder_weights)
    error = assert_error(client.get(f"{URL}/{model_id}/download?format={fmt}", headers=user["headers"]), 422)
    assert error["code"] == "export_failed" and error["details"]["format"] == fmt
    with app.app_context():
        weights = Path(db.session.get(ModelVersion, model_id).weights_path)
    assert not weights.with_suffix(f".{fmt}").exists()
