"""`python -m valguscam` runs the command line."""

import sys

from valguscam.cli.main import main

sys.exit(main())
