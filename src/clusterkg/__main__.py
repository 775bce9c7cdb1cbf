"""``python -m clusterkg`` runs the CLI."""

import sys

from clusterkg.cli import main

sys.exit(main())
