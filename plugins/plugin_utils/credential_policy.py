# Copyright: hubspoke.multicluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a kubeconfig read from a hub Secret may make the controller do: reach one API server, nothing more.

A kubeconfig can name a command to run for credentials (`exec`, an auth provider) and files to read (a token
file, a certificate path). Read from a Secret, it is written by whoever may write Secrets on the hub, and it
is used on the controller (or an AWX execution node): a command there runs with the controller's rights, and a
token file's contents go to the server the kubeconfig names. So only server, CA data, TLS server name, proxy,
bearer token and client certificate data are kept; `exec` only for commands the inventory names in its
`exec_commands` option, a deliberate and documented choice.
"""

import os

from ansible_collections.hubspoke.multicluster.plugins.plugin_utils.cluster import ClusterInventoryError

CLUSTER_FIELDS = {"server", "certificate-authority-data", "tls-server-name", "insecure-skip-tls-verify", "proxy-url"}
USER_FIELDS = {"token", "client-certificate-data", "client-key-data"}
EXEC_FIELDS = {"apiVersion", "command", "args", "env", "installHint", "provideClusterInfo", "interactiveMode"}


def _refuse(where, what):
    raise ClusterInventoryError(
        "{0}: {1}; a kubeconfig read from a hub Secret may only name a server, its CA data, a bearer token or "
        "client certificate data (the inventory's `exec_commands` option names commands it may run)".format(where, what))


def _check_exec(where, name, spec, allow_exec):
    command = (spec or {}).get("command") or ""
    if os.path.basename(command) not in allow_exec or command != os.path.basename(command):
        _refuse(where, "user {0!r} runs the command {1!r}, which `exec_commands` does not name".format(name, command))
    unknown = sorted(set(spec) - EXEC_FIELDS)
    if unknown:
        _refuse(where, "user {0!r} has exec fields {1}".format(name, ", ".join(unknown)))


def trusted_kubeconfig(doc, where, allow_exec=()):
    """`doc` if it only reaches a cluster; else ClusterInventoryError naming `where` (the Secret) and the field.

    `exec` is kept for a command named exactly (no path) in `allow_exec`, found on the controller's PATH."""
    if not isinstance(doc, dict):
        raise ClusterInventoryError("{0}: not a kubeconfig (a mapping)".format(where))
    for entry in doc.get("clusters") or []:
        extra = sorted(set((entry or {}).get("cluster") or {}) - CLUSTER_FIELDS)
        if extra:
            _refuse(where, "cluster {0!r} has {1}".format(entry.get("name"), ", ".join(extra)))
    for entry in doc.get("users") or []:
        user = (entry or {}).get("user") or {}
        for field in sorted(set(user) - USER_FIELDS):
            if field == "exec":
                _check_exec(where, entry.get("name"), user["exec"], tuple(allow_exec or ()))
            else:
                _refuse(where, "user {0!r} has {1}".format(entry.get("name"), field))
    return doc
