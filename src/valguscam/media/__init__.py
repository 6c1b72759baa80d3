"""Frames in and out: video files, webcam, image folders and their decoders (PyAV, OpenCV)."""
