"""A fleet of real Kubernetes control planes on loopback, for demos and integration tests.

Each cluster is its own etcd, kube-apiserver (TLS from its own CA), kube-controller-manager,
kube-scheduler and a KWOK controller that plays the kubelets of a few fake nodes, so Deployments
become Available without a container runtime. Nothing here is part of the collection's runtime.
"""
