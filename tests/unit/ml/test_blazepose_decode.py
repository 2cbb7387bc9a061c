"""BlazePose maths without the models: anchors, detection decoding, NMS, the rotated ROI and its crop, landmarks."""

import math

import cv2
import numpy as np
import pytest

from api.ml.blazepose_decode import (
    DETECTOR_INPUT_SIZE,
    LANDMARK_COUNT,
    LANDMARK_INPUT_SIZE,
    ROI_SCALE,
    Roi,
    decode_detections,
    decode_landmarks,
    letterbox_roi,
    refine_from_heatmap,
    roi_from_alignment,
    sigmoid,
    ssd_anchor_centres,
    weighted_nms,
)


def test_anchors_match_the_detector_output_and_its_grids():
    anchors = ssd_anchor_centres()
    assert anchors.shape == (2254, 2)
    cell8, cell32 = 1 / 28, 1 / 7
    assert anchors[0] == pytest.approx([cell8 / 2, cell8 / 2])
    assert anchors[1] == pytest.approx(anchors[0])  # two anchors per stride-8 cell
    assert anchors[2] == pytest.approx([1.5 * cell8, cell8 / 2])  # then the next cell along x
    stride32 = anchors[28 * 28 * 2 + 14 * 14 * 2 :]
    assert len(stride32) == 7 * 7 * 6  # three layers of stride 32 share one grid
    assert np.all(stride32[:6] == stride32[0]) and stride32[6, 0] > stride32[0, 0]
    assert anchors[-1] == pytest.approx([1 - cell32 / 2, 1 - cell32 / 2])


def test_a_scale_point_above_the_hips_gives_an_upright_square():
    roi = roi_from_alignment(np.array([100.0, 200.0]), np.array([100.0, 120.0]))
    assert roi.rotation == pytest.approx(0.0)
    assert roi.size == pytest.approx(2 * 80 * ROI_SCALE)
    assert (roi.centre_x, roi.centre_y) == (100.0, 200.0)


@pytest.mark.parametrize(("scale_point", "rotation"), [((300, 200), math.pi / 2), ((100, 200), -math.pi / 2)])
def test_a_body_lying_flat_turns_the_crop_so_its_top_points_at_the_head(scale_point, rotation):
    centre = np.array([200.0, 200.0])
    roi = roi_from_alignment(centre, np.array(scale_point, dtype=float))
    assert roi.rotation == pytest.approx(rotation)
    top_middle = roi.to_image(np.array([[0.5, 0.0]]))[0]
    direction = (np.array(scale_point) - centre) / 100
    assert top_middle == pytest.approx(centre + direction * roi.size / 2)


def test_the_letterbox_view_covers_the_whole_image_on_its_long_side():
    roi = letterbox_roi((800, 400))
    assert roi.box() == pytest.approx([0, -200, 800, 600])


def test_the_crop_puts_an_image_point_where_the_roi_maps_it():
    image = np.zeros((300, 400, 3), dtype=np.uint8)
    roi = Roi(200.0, 150.0, 160.0, math.radians(30))
    target = roi.to_image(np.array([[0.25, 0.75]]))[0]
    cv2.circle(image, (round(target[0]), round(target[1])), 3, (0, 0, 255), -1)  # red in BGR
    crop = roi.crop(image, 64, cv2.BORDER_CONSTANT)
    row, col = np.unravel_index(np.argmax(crop[..., 0]), crop.shape[:2])  # red is channel 0 in the RGB crop
    assert (col, row) == pytest.approx((0.25 * 64, 0.75 * 64), abs=2)
    assert crop[..., 2].max() == 0


def test_detections_decode_into_image_pixels_through_the_letterbox():
    anchors = ssd_anchor_centres()
    raw_boxes = np.zeros((len(anchors), 12), dtype=np.float32)
    raw_scores = np.full(len(anchors), -10.0, dtype=np.float32)
    index = 100
    raw_boxes[index, :4] = [11.2, -22.4, 44.8, 67.2]  # centre offset and size, detector pixels
    raw_boxes[index, 4:6] = [0.0, 22.4]  # hip centre: 0.1 of the input below the anchor
    raw_scores[index] = 3.0
    view = letterbox_roi((448, 224))  # a wide image: the detector sees it padded top and bottom
    (detection,) = decode_detections(raw_boxes, raw_scores, anchors, 0.5, view)
    ax, ay = anchors[index]
    assert detection.score == pytest.approx(sigmoid(3.0))
    centre = np.array([ax + 0.05, ay - 0.1])
    expected = np.concatenate([centre - [0.1, 0.15], centre + [0.1, 0.15]]) * 448 - [0, 112, 0, 112]
    assert detection.box == pytest.approx(expected.tolist(), abs=1e-3)
    assert detection.keypoints[0] == pytest.approx([ax * 448, (ay + 0.1) * 448 - 112], abs=1e-3)


def test_weighted_nms_merges_overlapping_detections_by_score():
    boxes = np.array([[0, 0, 10, 10], [1, 0, 11, 10], [50, 50, 60, 60]], dtype=float)
    scores = np.array([0.9, 0.3, 0.6])
    points = np.array([[[0, 0]], [[4, 0]], [[55, 55]]], dtype=float)
    kept_boxes, kept_scores, kept_points = weighted_nms(boxes, scores, points)
    assert kept_scores.tolist() == [0.9, 0.6]
    assert kept_boxes[0] == pytest.approx([0.25, 0, 10.25, 10])
    assert kept_points[0, 0] == pytest.approx([1.0, 0.0])
    assert kept_points[1, 0] == pytest.approx([55, 55])


def test_the_heatmap_moves_a_landmark_only_where_it_is_sure():
    heatmap = np.full((64, 64, 2), -10.0, dtype=np.float32)
    heatmap[20, 30, 0] = 10.0  # a sharp peak near landmark 0
    heatmap[40, 40, 1] = 0.0  # landmark 1: never over 0.5 confidence
    xy = np.array([[31 / 64, 22 / 64], [40 / 64, 40 / 64]])
    refined = refine_from_heatmap(xy, heatmap)
    assert refined[0] == pytest.approx([30 / 64, 20 / 64], abs=1e-3)
    assert refined[1] == pytest.approx(xy[1])


def test_landmarks_come_back_in_image_pixels_and_world_turned_with_the_crop():
    raw = np.zeros((LANDMARK_COUNT, 5), dtype=np.float32)
    raw[0] = [128, 64, 32, 5.0, -5.0]  # top middle of the crop, visible, not present
    raw_world = np.zeros((LANDMARK_COUNT, 3), dtype=np.float32)
    raw_world[0] = [0.0, -0.5, 0.2]  # half a metre above the hips in the crop's frame
    roi = Roi(300.0, 200.0, 200.0, math.pi / 2)  # lying flat, head to the right
    decoded = decode_landmarks(raw.ravel(), None, raw_world.ravel(), roi)
    assert decoded.landmarks[0, :2] == pytest.approx([300 + 50, 200])
    assert decoded.landmarks[0, 2] == pytest.approx(32 / LANDMARK_INPUT_SIZE * 200)
    assert decoded.landmarks[0, 3] > 0.99 and decoded.landmarks[0, 4] < 0.01
    assert decoded.world[0] == pytest.approx([0.5, 0.0, 0.2], abs=1e-6)


def test_sigmoid_does_not_overflow():
    values = sigmoid(np.array([-1000.0, 0.0, 1000.0]))
    assert values.tolist() == [0.0, 0.5, 1.0]
    assert DETECTOR_INPUT_SIZE == 224
