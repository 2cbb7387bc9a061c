"""The annotated image draws the joints that judged posture: BlazePose's feet when it found them."""

import cv2
import numpy as np

from api.ml.analysis import Analysis
from api.ml.annotate import annotate
from api.ml.keypoints import KEYPOINT_INDEX, BodyPose
from api.ml.pose import Person
from api.ml.posture import PostureAssessment
from api.ml.recognition import Recognition


def standing_body() -> np.ndarray:
    """A 21-joint frame (confidence 0.9) with the left foot's heel at (300, 560) and toe tip at (360, 560)."""
    frame = np.zeros((21, 3), np.float32)
    frame[:, 0], frame[:, 1], frame[:, 2] = 320.0, np.linspace(120, 520, 21), 0.9
    frame[KEYPOINT_INDEX["left_ankle"], :2] = (310, 530)
    frame[KEYPOINT_INDEX["left_heel"], :2] = (300, 560)
    frame[KEYPOINT_INDEX["left_foot_index"], :2] = (360, 560)
    return frame


def drawn(body: BodyPose | None) -> np.ndarray:
    frame = standing_body()
    person = Person(box=[250.0, 100.0, 400.0, 600.0], score=0.9, keypoints=frame[:17].copy())
    analysis = Analysis(
        media_type="image",
        recognition=Recognition(None, 0.2, [], "confidence 0.20 is below the threshold 0.99"),
        persons=[person],
        posture=PostureAssessment.not_assessed("no posture rules for this yet"),
        image_size=(640, 640),
        timing={},
        key_frame=np.zeros((640, 640, 3), np.uint8),
        key_person=person,
        body=body,
    )
    return cv2.imdecode(np.frombuffer(annotate(analysis), np.uint8), cv2.IMREAD_COLOR)


def test_the_main_persons_feet_are_drawn_from_blazepose_and_not_without_it():
    middle_of_the_foot = (560, 330)  # row, column: halfway from heel to toe tip
    with_feet = drawn(BodyPose("blazepose", standing_body()))
    without = drawn(None)
    assert with_feet[middle_of_the_foot][1] > 120  # the skeleton's green
    assert without[middle_of_the_foot].max() < 40
