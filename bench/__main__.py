"""`python -m bench`: see bench/run.py and bench/README.md; `python -m bench soak` (bench/soak.py),
`python -m bench crash` (bench/crash.py) and `python -m bench cluster` (bench/cluster.py)."""

from __future__ import annotations

import sys

if sys.argv[1:2] == ["soak"]:
    from bench.soak import main as soak

    sys.exit(soak(sys.argv[2:]))
if sys.argv[1:2] == ["crash"]:
    from bench.crash import main as crash

    sys.exit(crash(sys.argv[2:]))
if sys.argv[1:2] == ["cluster"]:
    from bench.cluster import main as cluster

    sys.exit(cluster(sys.argv[2:]))

from bench.run import main

sys.exit(main())
