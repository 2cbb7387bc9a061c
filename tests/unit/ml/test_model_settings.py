"""A model folder's settings.json is read like the other ML configs: unknown keys and wrong types are refused."""

import json
import shutil

import pytest

from api.ml.recognition import DEFAULT_MODEL_DIR, FEATURE_BLOCKS, FeatureRecognizer, RecognizerSettings
from api.ml.recognition_motion import DEFAULT_MOTION_MODEL_DIR, MotionModel, MotionSettings
from api.ml.settings_file import InvalidSettings, read_settings, settings_from_dict


def test_the_shipped_settings_are_read():
    settings = read_settings(RecognizerSettings, DEFAULT_MODEL_DIR / "settings.json")
    assert settings.blocks == FEATURE_BLOCKS and 0 < settings.min_confidence < 1
    motion = read_settings(MotionSettings, DEFAULT_MOTION_MODEL_DIR / "settings.json")
    assert motion.features and isinstance(motion.features, tuple) and motion.trained_on_clips > 0


def test_an_unknown_key_is_refused_by_name():
    with pytest.raises(InvalidSettings, match="unknown key 'min_confidense'"):
        settings_from_dict(RecognizerSettings, {"min_confidense": 0.5})


@pytest.mark.parametrize(
    "key,value",
    [("min_confidence", "0.5"), ("min_confidence", True), ("min_confidence", None), ("blocks", "geo"),
     ("blocks", ["geo", 3])],
)  # fmt: skip
def test_a_value_of_the_wrong_type_is_refused_by_name(key, value):
    with pytest.raises(InvalidSettings, match=f"'{key}' must be"):
        settings_from_dict(RecognizerSettings, {key: value})


def test_a_missing_required_key_and_a_non_object_are_refused():
    with pytest.raises(InvalidSettings, match="'features' is missing"):
        settings_from_dict(MotionSettings, {"image_weight": 0.5, "min_confidence": 0.9})
    with pytest.raises(InvalidSettings, match="must be a JSON object"):
        settings_from_dict(RecognizerSettings, ["geo"])


def test_a_whole_number_is_a_number_and_an_absent_file_gives_the_defaults(tmp_path):
    assert settings_from_dict(RecognizerSettings, {"min_confidence": 1}).min_confidence == 1
    assert read_settings(RecognizerSettings, tmp_path / "settings.json", optional=True) == RecognizerSettings()


def test_the_recognizer_and_the_motion_model_refuse_an_unknown_key(tmp_path):
    for source, name in ((DEFAULT_MODEL_DIR, "image"), (DEFAULT_MOTION_MODEL_DIR, "motion")):
        folder = tmp_path / name
        shutil.copytree(source, folder)
        settings = json.loads((folder / "settings.json").read_text())
        (folder / "settings.json").write_text(json.dumps({**settings, "colour": "red"}))
    with pytest.raises(InvalidSettings, match="unknown key 'colour'"):
        FeatureRecognizer.from_dir(tmp_path / "image", network=None)
    with pytest.raises(InvalidSettings, match="unknown key 'colour'"):
        MotionModel.load(tmp_path / "motion")
