"""python -m deploy: what `make deploy` runs."""

import sys

from deploy import main

sys.exit(main())
