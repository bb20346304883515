"""Make `ansible_collections.hubspoke.multicluster` importable in pytest, as Ansible sees it.

The Makefile links the checkout into a collections folder and exports ANSIBLE_COLLECTIONS_PATH;
those folders go on sys.path so the collection's plugins import under their real names.
"""

import os
import sys

for entry in reversed(os.environ.get("ANSIBLE_COLLECTIONS_PATH", "").split(os.pathsep)):
    if entry and entry not in sys.path:
        sys.path.insert(0, entry)
