# Copyright: hubspoke.multicluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The environment one module run on a cluster host gets: this cluster's connection and no other.

kubernetes.core fills every auth option a task leaves unset from K8S_AUTH_*, and prefers a host and token
over any kubeconfig, so the variables AWX's Kubernetes credential injects into a job would send every task of
every cluster to that one API server. No module option can stop that (an empty value overrides a kubeconfig's
own), so the connection plugin runs each module with K8S_AUTH_KUBECONFIG naming one kubeconfig, written for
this one command (mode 0600, removed when it returns), that says exactly how this cluster is reached, and with
no other K8S_AUTH_* variable. A task that states another cluster's kubeconfig or host overrides that file, and
nothing of it leaks into the other cluster's options (it names no context).
"""

import json
import os
import tempfile
from contextlib import contextmanager

from ansible_collections.hubspoke.multicluster.plugins.module_utils.fleet import connections as fleet_connections
from ansible_collections.hubspoke.multicluster.plugins.module_utils.kube import connection as kube_connection
from ansible_collections.hubspoke.multicluster.plugins.module_utils.kube import kubeconfig_files

PREFIX = "K8S_AUTH_"


def kubeconfig_document(connection):
    """The one kubeconfig that means the same as a stated connection (its context as the current one)."""
    options = kube_connection.stated(connection)
    kubeconfig = options.get("kubeconfig")
    if isinstance(kubeconfig, dict):
        return dict(kubeconfig, **{"current-context": options["context"]}) if options.get("context") else kubeconfig
    if kubeconfig:
        return kubeconfig_files.minify(kubeconfig, options.get("context"))
    return kube_connection.as_kubeconfig(options)


@contextmanager
def cluster_environment(connection, tmpdir=None, environ=None):
    """Within the block, `environ` (os.environ) holds this cluster's K8S_AUTH_KUBECONFIG and no other
    K8S_AUTH_*. A cluster that states no connection keeps the environment as it is: K8S_AUTH_* are its fallback."""
    environ = os.environ if environ is None else environ
    if not kube_connection.stated(connection):
        yield
        return
    document = kubeconfig_document(connection)
    saved = {k: v for k, v in environ.items() if k.startswith(PREFIX)}
    handle, path = tempfile.mkstemp(prefix="hubspoke-kubeconfig-", suffix=".json", dir=tmpdir)
    try:
        with os.fdopen(handle, "w") as out:  # mkstemp made it 0600
            json.dump(document, out)
        for key in saved:
            del environ[key]
        environ["K8S_AUTH_KUBECONFIG"] = path
        yield
    finally:
        environ.pop("K8S_AUTH_KUBECONFIG", None)
        environ.update(saved)
        os.unlink(path)


# The cluster connection plugin's options and the host variables they are read from.
OPTION_VARIABLES = {"cluster_connection": "hubspoke_connection", "kubeconfig": "hubspoke_kubeconfig",
                    "context": "hubspoke_context"}


def stated_connection(read):
    """The connection the cluster connection plugin's options state: read(option) gives one of OPTION_VARIABLES'
    options, asked only as needed (an option may be a lookup), so the plugin and a run-once action agree."""
    connection = read("cluster_connection")
    if connection:
        return connection
    kubeconfig = read("kubeconfig")
    return {"kubeconfig": kubeconfig, "context": read("context")} if kubeconfig else {}


def host_connection(variables):
    """A host's connection from its variables, read as the cluster connection plugin reads its options."""
    return stated_connection(lambda option: variables.get(OPTION_VARIABLES[option]))


@contextmanager
def fleet_environment(kubeconfigs, problems, tmpdir=None, environ=None):
    """Within the block, `environ` names (module_utils/fleet/connections.VARIABLE) a file, readable only by the
    user, of every host's kubeconfig document ({host: kubeconfig_document()}) and of why a host has none."""
    environ = os.environ if environ is None else environ
    handle, path = tempfile.mkstemp(prefix="hubspoke-fleet-", suffix=".json", dir=tmpdir)
    try:
        with os.fdopen(handle, "w") as out:  # mkstemp made it 0600
            json.dump({"connections": kubeconfigs, "problems": problems}, out)
        environ[fleet_connections.VARIABLE] = path
        yield
    finally:
        environ.pop(fleet_connections.VARIABLE, None)
        os.unlink(path)
