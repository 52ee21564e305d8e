"""``python -m exomesa ...``: the same as the ``exomesa`` command."""

import sys

from exomesa.cli import main

if __name__ == "__main__":
    sys.exit(main())
