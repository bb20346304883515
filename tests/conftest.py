"""Import `ansible_collections.hubspoke.multicluster` in pytest exactly as Ansible does.

The Makefile links the checkout into a collections folder and exports ANSIBLE_COLLECTIONS_PATH;
Ansible's collection loader, installed once here for every test, resolves the collection and its
dependencies (kubernetes.core) from there.
"""

from ansible.plugins.loader import init_plugin_loader

init_plugin_loader()
