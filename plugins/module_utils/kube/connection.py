# Copyright: hubspoke.multicluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A cluster connection: one dict of kubernetes.core auth option names, a host's `hubspoke_connection`.

It is stated in one of two ways: a kubeconfig (a path, several joined by the path separator as in KUBECONFIG,
or a dict) with an optional context; or an API server `host` with `ca_cert`, `validate_certs` and a bearer
token (`api_key`) or a client certificate. Nothing unstated is filled in from elsewhere: the K8S_AUTH_*
variables are the fallback only of a cluster that states no connection at all, and a second cluster (a hub, a
Karmada API server) that states none falls back to HUBSPOKE_HUB_*, the variables the collection's AWX
credential type injects, which no kubernetes.core code reads.
"""

import os

from ansible_collections.hubspoke.multicluster.plugins.module_utils.kube.errors import ConnectionOptionsError

OPTIONS = ("kubeconfig", "context", "host", "api_key", "ca_cert", "client_cert", "client_key", "validate_certs",
           "proxy")
# kubernetes.core's variables for each option: K8S_AUTH_<option>, else K8S_AUTH_<kubernetes client name>.
K8S_AUTH_VARIABLES = {"kubeconfig": "K8S_AUTH_KUBECONFIG", "context": "K8S_AUTH_CONTEXT", "host": "K8S_AUTH_HOST",
                      "api_key": "K8S_AUTH_API_KEY", "ca_cert": ("K8S_AUTH_CA_CERT", "K8S_AUTH_SSL_CA_CERT"),
                      "client_cert": ("K8S_AUTH_CLIENT_CERT", "K8S_AUTH_CERT_FILE"),
                      "client_key": ("K8S_AUTH_CLIENT_KEY", "K8S_AUTH_KEY_FILE"),
                      "validate_certs": ("K8S_AUTH_VALIDATE_CERTS", "K8S_AUTH_VERIFY_SSL"), "proxy": "K8S_AUTH_PROXY"}
HUB_VARIABLES = {"host": "HUBSPOKE_HUB_HOST", "api_key": "HUBSPOKE_HUB_API_KEY", "ca_cert": "HUBSPOKE_HUB_CA_CERT",
                 "validate_certs": "HUBSPOKE_HUB_VERIFY_SSL", "kubeconfig": "HUBSPOKE_HUB_KUBECONFIG",
                 "context": "HUBSPOKE_HUB_CONTEXT"}
FALSE_WORDS = ("0", "false", "no", "off")


def stated(connection):
    """The options a connection sets (None and empty strings are unset)."""
    if connection is None:
        return {}
    if not isinstance(connection, dict):
        raise ConnectionOptionsError("a cluster connection must be a dict of kubernetes.core auth options, got {0}".format(
            type(connection).__name__))
    unknown = sorted(set(connection) - set(OPTIONS))
    if unknown:
        raise ConnectionOptionsError("unknown connection option(s) {0}; known: {1}".format(", ".join(unknown), ", ".join(OPTIONS)))
    return {k: v for k, v in connection.items() if v is not None and v != ""}


def from_environment(variables, environ=None):
    """The connection a set of variables states (K8S_AUTH_VARIABLES or HUB_VARIABLES); {} when none is set."""
    environ = os.environ if environ is None else environ
    found = {}
    for option, names in variables.items():
        value = next((environ[n] for n in ((names,) if isinstance(names, str) else names) if environ.get(n)), None)
        if value is None:
            continue
        if option == "validate_certs":
            value = value.lower() not in FALSE_WORDS
        elif option == "ca_cert" and os.path.isfile(value) and not os.path.getsize(value):
            continue  # AWX writes an empty file for an empty CA field: the system's trust store then
        found[option] = value
    return found


def second_cluster(connection, environ=None):
    """A hub's or control plane's connection: as stated, else HUBSPOKE_HUB_*; never the K8S_AUTH_* of the task."""
    return stated(connection) or from_environment(HUB_VARIABLES, environ)


def controller_hub(connection, environ=None):
    """The connection a controller plugin (inventory, lookup) reads a hub with: as stated, else HUBSPOKE_HUB_*,
    else K8S_AUTH_* (an AWX inventory source's Kubernetes credential); {} means the default kubeconfig."""
    return second_cluster(connection, environ) or from_environment(K8S_AUTH_VARIABLES, environ)


def as_kubeconfig(connection, name="hubspoke"):
    """A kubeconfig dict with the same meaning as a host-style connection (file paths are kept as paths)."""
    options = stated(connection)
    if "host" not in options:
        raise ConnectionOptionsError("a connection without `kubeconfig` needs `host`")
    cluster = {"server": options["host"].rstrip("/")}
    if options.get("ca_cert"):
        cluster["certificate-authority"] = os.path.expanduser(options["ca_cert"])
    if options.get("validate_certs") is False:
        cluster["insecure-skip-tls-verify"] = True
    if options.get("proxy"):
        cluster["proxy-url"] = options["proxy"]
    user = {}
    if options.get("api_key"):
        user["token"] = options["api_key"]
    if options.get("client_cert"):
        user["client-certificate"] = os.path.expanduser(options["client_cert"])
        user["client-key"] = os.path.expanduser(options.get("client_key") or "")
    return {"apiVersion": "v1", "kind": "Config", "current-context": name,
            "clusters": [{"name": name, "cluster": cluster}], "users": [{"name": name, "user": user}],
            "contexts": [{"name": name, "context": {"cluster": name, "user": name}}]}
