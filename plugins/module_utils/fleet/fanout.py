# Copyright: hubspoke.multicluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Work over many clusters at once, for a task run once for a whole play.

A bounded pool of threads with one client per cluster, each request bounded by its timeout, so a cluster that
does not answer costs its own timeout and not the others'. Threads, not processes: the work is waiting on
the API servers, and the module server has already paid for the imports.
"""

from concurrent.futures import ThreadPoolExecutor

from ansible_collections.hubspoke.multicluster.plugins.module_utils.kube import client as kube_client


def _read_one(connection, read, failed):
    try:
        client = kube_client.bounded(kube_client.for_connection(connection))
    except Exception as err:  # pylint: disable=broad-exception-caught  # ConnectionOptionsError, ConfigException...
        return failed("cannot build a client from the connection: {0}".format(err))
    try:
        return read(client)
    finally:
        client.close()


def run_each(items, work, concurrency=20):
    """{name: work(name, item)} for every item of {name: item}, at most `concurrency` at a time."""
    if not items:
        return {}
    with ThreadPoolExecutor(max_workers=max(1, min(concurrency, len(items)))) as pool:
        futures = {name: pool.submit(work, name, item) for name, item in items.items()}
        return {name: future.result() for name, future in futures.items()}


def read_each(connections, read, failed, concurrency=20):
    """{name: read(client)} for every cluster of {name: connection}, at most `concurrency` at a time; a
    connection no client can be built from gives failed(reason) instead."""
    return run_each(connections, lambda _name, connection: _read_one(connection, read, failed), concurrency)
