# Copyright: hubspoke.multicluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Polling waits on objects read through kube/objects.py: a token Secret filled, a condition true, an object gone."""

import base64
import time

from ansible_collections.hubspoke.multicluster.plugins.module_utils.kube.errors import TokenNotReady
from ansible_collections.hubspoke.multicluster.plugins.module_utils.kube.objects import get


def wait_for_token(svc, definition, timeout):
    """The filled data of a token Secret ({token, ca.crt, namespace}, decoded), polled every half second."""
    deadline = time.monotonic() + timeout
    while True:
        data = (get(svc, definition) or {}).get("data") or {}
        if data.get("token"):
            return {key: base64.b64decode(value).decode() for key, value in data.items()}
        if time.monotonic() > deadline:
            meta = definition["metadata"]
            raise TokenNotReady("the token controller did not fill Secret {0}/{1} within {2}s".format(
                meta["namespace"], meta["name"], timeout))
        time.sleep(0.5)


def wait_for_condition(svc, definition, condition, timeout):
    """(True, the object) once its status reports `condition` True, else (False, the object as last read, or None)
    after `timeout` seconds; polled every second, as kubernetes.core's k8s_info wait does."""
    deadline = time.monotonic() + timeout
    while True:
        found = get(svc, definition)
        conditions = ((found or {}).get("status") or {}).get("conditions") or []
        if any(c.get("type") == condition and c.get("status") == "True" for c in conditions):
            return True, found
        if time.monotonic() > deadline:
            return False, found
        time.sleep(1)


def wait_until_gone(svc, definition, timeout):
    """True once the object no longer exists (finalizers done), False after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while get(svc, definition) is not None:
        if time.monotonic() > deadline:
            return False
        time.sleep(0.5)
    return True
