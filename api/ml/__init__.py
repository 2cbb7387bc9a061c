"""Vision services: pose, recognition, posture, reps, video and training. No Flask imports here.

Importing this package switches Ultralytics to offline mode before Ultralytics itself is imported,
so that nothing ever waits on the network or tries to pip-install a package at run time.
"""

import os

os.environ.setdefault("YOLO_OFFLINE", "True")
os.environ.setdefault("YOLO_AUTOINSTALL", "False")
os.environ.setdefault("YOLO_VERBOSE", "False")
