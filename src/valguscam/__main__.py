"""`python -m valguscam` runs the command line."""

import sys

from valguscam.cli import main

sys.exit(main())
