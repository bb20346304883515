# Copyright: hubspoke.multicluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The errors of the Kubernetes access layer, one hierarchy: each message names the cluster, object and cause."""


class ClusterError(Exception):
    """Something about one cluster went wrong; str() is a sentence a user can act on."""


class ConnectionOptionsError(ClusterError):
    """A cluster connection that cannot be used as stated (unknown option, missing server...)."""


class TokenNotReady(ClusterError):
    """The token controller did not fill a token Secret in time."""


def connection_error_reason(err):
    """The innermost cause of a urllib3 error: 'Connection refused' rather than a retry wrapper."""
    reason = getattr(err, "reason", None)
    return str(reason if reason is not None else err)
