"""The pose model: registry, lookup and download (models.py) and the estimator (estimator.py,
the only mediapipe import). A MediaPipe result never leaves this folder."""
