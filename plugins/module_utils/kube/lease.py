# Copyright: hubspoke.multicluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Mutual exclusion between runs that change the same thing, as coordination.k8s.io Leases on a cluster.

Two runs registering or rotating the same spoke at once would otherwise read the same state and each write its
own view: the hub could end up holding a token the other run revoked. Creating a Lease is atomic (a second
create gets 409), so the run that created it goes on and the others wait for it to be released, or to expire
if its run died. Written here because the kubernetes client's leaderelection is a renewing loop for long-lived
processes, not a take, work, release for one task.
"""

import os
import socket
import time
import uuid
from datetime import datetime, timedelta, timezone

from ansible_collections.hubspoke.multicluster.plugins.module_utils.kube.errors import ClusterError

LEASE_API = "coordination.k8s.io/v1"
_TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


class LeaseHeld(ClusterError):
    """Another run held the Lease for longer than this one would wait."""


def _now():
    return datetime.now(timezone.utc)


def _parse(stamp):
    for layout in (_TIME_FORMAT, "%Y-%m-%dT%H:%M:%SZ"):
        try:
            return datetime.strptime(stamp, layout).replace(tzinfo=timezone.utc)
        except (TypeError, ValueError):
            continue
    return None


def _expired(lease):
    spec = lease.get("spec") or {}
    renewed = _parse(spec.get("renewTime") or spec.get("acquireTime"))
    return renewed is None or renewed + timedelta(seconds=spec.get("leaseDurationSeconds") or 0) < _now()


class Leases:
    """`with Leases(svc, namespace, names, duration, wait):` holds every named Lease (taken in sorted order, so two
    runs needing the same ones cannot deadlock) for the block, each for at most `duration` seconds."""

    def __init__(self, svc, namespace, names, duration, wait):
        self.svc, self.namespace, self.names = svc, namespace, sorted(set(names))
        self.duration, self.wait = int(duration), wait
        self.holder = "{0}/{1}/{2}".format(socket.gethostname(), os.getpid(), uuid.uuid4().hex[:8])
        self.resource = svc.find_resource("Lease", LEASE_API, fail=True)
        self.held = []

    def _body(self, name):
        stamp = _now().strftime(_TIME_FORMAT)
        return {"apiVersion": LEASE_API, "kind": "Lease",
                "metadata": {"name": name, "namespace": self.namespace,
                             "labels": {"app.kubernetes.io/managed-by": "hubspoke.multicluster"}},
                "spec": {"holderIdentity": self.holder, "leaseDurationSeconds": self.duration,
                         "acquireTime": stamp, "renewTime": stamp}}

    def _take(self, name):
        deadline = time.monotonic() + self.wait
        while True:
            try:
                created = self.svc.client.create(self.resource, self._body(name), namespace=self.namespace)
                return created.metadata.uid
            except Exception as err:  # pylint: disable=broad-exception-caught  # only 409 means "taken"
                if getattr(err, "status", None) != 409:
                    raise
            lease = self._read(name)
            if lease is not None and _expired(lease):
                self._delete(name, lease["metadata"])  # its run died: take over
                continue
            if time.monotonic() > deadline:
                spec = (lease or {}).get("spec") or {}
                raise LeaseHeld("another run ({0}, since {1}) holds Lease {2}/{3} for the same cluster: retry when "
                                "it is done, or delete the Lease if that run died (it expires {4}s after it was "
                                "taken)".format(spec.get("holderIdentity"), spec.get("acquireTime"), self.namespace,
                                                name, spec.get("leaseDurationSeconds")))
            time.sleep(1)

    def _read(self, name):
        try:
            return self.svc.client.get(self.resource, name=name, namespace=self.namespace).to_dict()
        except Exception as err:  # pylint: disable=broad-exception-caught
            if getattr(err, "status", None) == 404:
                return None
            raise

    def _delete(self, name, metadata):
        """Delete it if it is still the one read (uid and resourceVersion): never another run's new Lease."""
        preconditions = {"uid": metadata["uid"]}
        if metadata.get("resourceVersion"):
            preconditions["resourceVersion"] = metadata["resourceVersion"]
        try:
            self.svc.client.delete(self.resource, name=name, namespace=self.namespace,
                                   body={"kind": "DeleteOptions", "apiVersion": "v1", "preconditions": preconditions})
        except Exception as err:  # pylint: disable=broad-exception-caught  # gone or changed: not ours to delete
            if getattr(err, "status", None) not in (404, 409):
                raise

    def __enter__(self):
        try:
            for name in self.names:
                self.held.append((name, self._take(name)))
        except Exception:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc):
        while self.held:
            name, uid = self.held.pop()
            self._delete(name, {"uid": uid})
        return False
