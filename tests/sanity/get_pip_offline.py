"""Offline stand-in for the get-pip.py that ansible-test downloads to bootstrap its sanity venvs.

ansible-test fetches get-pip.py from a host outside the package registries this project may use,
and runs it from ~/.ansible/test/cache/ when it is there. This does the same job with the pip wheel
bundled in CPython (ensurepip), then installs the requested packages from the configured index.
"""

import ensurepip
import os
import subprocess
import sys

# get-pip.py options that pip install does not know.
GET_PIP_ONLY = {"--no-setuptools", "--no-wheel"}

# ensurepip sets PIP_CONFIG_FILE=/dev/null and leaves it set; the install must see the machine's pip
# configuration (index, trusted CA bundle), so it gets the environment from before the bootstrap.
environment = dict(os.environ)
ensurepip.bootstrap()
args = [arg for arg in sys.argv[1:] if arg not in GET_PIP_ONLY]
sys.exit(subprocess.call([sys.executable, "-m", "pip", "install", *args], env=environment))
