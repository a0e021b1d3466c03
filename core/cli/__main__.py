import sys

from vocalens.core.cli.main import main

sys.exit(main())
