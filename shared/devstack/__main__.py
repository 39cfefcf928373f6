import sys

from shared.devstack.stack import main

sys.exit(main())
