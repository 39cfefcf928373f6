import asyncio
import sys

from bench.runner import main

sys.exit(asyncio.run(main(sys.argv[1:])))
