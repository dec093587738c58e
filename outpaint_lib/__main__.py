import sys

from outpaint_lib.cli import main

sys.exit(main())
