# Copyright: hubspoke.multicluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The errors of the Kubernetes access layer, one hierarchy: each message names the cluster, object and cause."""

import json


class ClusterError(Exception):
    """Something about one cluster went wrong; str() is a sentence a user can act on."""


class ConnectionOptionsError(ClusterError):
    """A cluster connection that cannot be used as stated (unknown option, missing server, a broken kubeconfig)."""


class TokenNotReady(ClusterError):
    """The token controller did not fill a token Secret in time."""


class ClusterUnreachable(ClusterError):
    """The cluster did not answer (refused, timed out, TLS failed): nothing was read or changed there."""

    def __init__(self, side, host, reason):
        self.side, self.host, self.reason = side, host, reason
        super().__init__("cannot reach the {0} at {1}: {2}".format(side, host, reason))


class CredentialsRefused(ClusterError):
    """The cluster answered, but 401 or 403: the credentials are wrong, expired or lack rights."""


def connection_error_reason(err):
    """The innermost cause of a urllib3 error: 'Connection refused' rather than a retry wrapper."""
    reason = getattr(err, "reason", None)
    return str(reason if reason is not None else err)


def api_failure(side, host, err):
    """The ClusterError for an error met while talking to a cluster: an HTTP answer (401 and 403 worded as the
    credentials' fault, others with the server's body) or, for anything else, unreachable."""
    status = getattr(err, "status", None)
    if status == 401:
        return CredentialsRefused("the {0} at {1} refused the credentials (401 Unauthorized): the token or client "
                                  "certificate is wrong or expired".format(side, host))
    if status == 403:
        return CredentialsRefused("the {0} at {1} answered 403 Forbidden: the credentials are valid but may not "
                                  "do this ({2})".format(side, host, api_message(err)))
    if isinstance(status, int):
        return ClusterError("the {0} at {1} answered {2} {3}: {4}".format(
            side, host, status, getattr(err, "reason", ""), api_message(err)))
    return ClusterUnreachable(side, host, connection_error_reason(err))


def api_message(err):
    """The `message` of a Kubernetes Status body, else the body itself."""
    body = getattr(err, "body", None) or ""
    if isinstance(body, bytes):
        body = body.decode("utf-8", "replace")
    try:
        return json.loads(body).get("message") or body
    except (ValueError, AttributeError):
        return body
