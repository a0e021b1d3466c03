"""The frozen command-line executable."""

import sys

if __name__ == "__main__":
    from vocalens.core.cli.main import main

    sys.exit(main())
