"""valguscam: knee valgus analysis from video.

Conventions (binding everywhere, see README "Conventions"):
image pixels with origin top-left, x right, y down; left/right are the SUBJECT's sides;
FPPA (frontal plane projection angle) is positive for valgus (knee medial of the hip-ankle line).
"""

__version__ = "0.1.0"
