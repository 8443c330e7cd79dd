"""``python -m shiftmsa``: the same as the ``shiftmsa`` command."""

import sys

from shiftmsa.cli import main

sys.exit(main())
