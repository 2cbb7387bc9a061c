"""Model training (YOLO training on users' datasets): datasets (`datasets.py`), training jobs (`jobs.py`), the job
handler that trains in a worker process (`worker.py`) and the model registry with the active recognizer
(`registry.py`)."""
