"""Entry point for ``python -m e2e``."""

import sys

from e2e.cli.main import main

if __name__ == "__main__":
    sys.exit(main())
