"""Letterboxing and decoding of raw YOLO pose output, on constructed arrays."""

import numpy as np

from pose_onnx import KEYPOINTS, decode, letterbox


def test_letterbox_pads_to_multiples_of_32_and_keeps_the_aspect():
    image = np.zeros((360, 640, 3), np.uint8)
    boxed, gain, (pad_x, pad_y) = letterbox(image, 640)
    assert boxed.shape == (384, 640, 3) and gain == 1.0 and (pad_x, pad_y) == (0, 12)
    boxed, gain, _ = letterbox(np.zeros((1080, 1920, 3), np.uint8), 320)
    assert boxed.shape[1] == 320 and boxed.shape[0] % 32 == 0 and gain == 320 / 1920


def raw_output(detections: list[tuple[float, float, float, float, float]], anchors: int = 50) -> np.ndarray:
    """A (56, anchors) output holding the given (cx, cy, w, h, score) rows, keypoints at the box centre."""
    output = np.zeros((5 + KEYPOINTS * 3, anchors), np.float32)
    for column, (cx, cy, w, h, score) in enumerate(detections):
        output[:5, column] = cx, cy, w, h, score
        output[5:, column] = np.tile([cx, cy, 0.9], KEYPOINTS)
    return output


def test_decode_keeps_confident_boxes_suppresses_duplicates_and_maps_back_to_the_image():
    duplicate, small, faint = (102, 113, 40, 80, 0.8), (300, 212, 20, 20, 0.5), (50, 50, 5, 5, 0.1)
    output = raw_output([(100, 112, 40, 80, 0.9), duplicate, small, faint])
    boxes, scores, keypoints = decode(output, 0.25, gain=0.5, pad=(0, 12), image_size=(1280, 720))
    assert scores.tolist() == [np.float32(0.9), np.float32(0.5)]
    np.testing.assert_allclose(boxes[0], [160, 120, 240, 280])
    np.testing.assert_allclose(keypoints[0, :, :2], np.tile([200, 200], (KEYPOINTS, 1)))
    assert keypoints.shape == (2, KEYPOINTS, 3) and np.all(keypoints[..., 2] == np.float32(0.9))


def test_decode_with_nothing_confident_is_empty():
    boxes, scores, keypoints = decode(raw_output([(10, 10, 5, 5, 0.1)]), 0.25, 1.0, (0, 0), (64, 64))
    assert boxes.shape == (0, 4) and scores.shape == (0,) and keypoints.shape == (0, KEYPOINTS, 3)
