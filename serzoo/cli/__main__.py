"""``python -m serzoo.cli`` is the ``serzoo`` command."""

import sys

from serzoo.cli import main

sys.exit(main())
