"""The vendored BlazePose files are the ones the model card names, byte for byte."""

import hashlib
import re

import pytest

from api.ml.blazepose import MODEL_DIR, BlazePoseConfig

CARD = (MODEL_DIR / "MODEL_CARD.md").read_text()
ROWS = re.findall(r"^\| `([\w.]+\.tflite)` \|.*\| `([0-9a-f]{64})` \|$", CARD, flags=re.MULTILINE)
MAX_FILE_BYTES = 32 * 1024 * 1024


def test_the_card_lists_the_detector_and_the_default_landmark_model():
    config = BlazePoseConfig()
    assert {name for name, _ in ROWS} == {config.detector_path().name, config.landmark_path().name}


@pytest.mark.parametrize(("name", "sha256"), ROWS)
def test_each_vendored_file_matches_its_checksum(name, sha256):
    data = (MODEL_DIR / name).read_bytes()
    assert len(data) < MAX_FILE_BYTES
    assert hashlib.sha256(data).hexdigest() == sha256


def test_the_licence_ships_beside_the_models():
    assert "Apache License" in (MODEL_DIR / "LICENSE").read_text()
    assert "Apache-2.0" in CARD
