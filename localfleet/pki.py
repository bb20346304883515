"""Per-cluster certificates: every cluster has its own CA, so CA handling in the collection is real."""

import datetime
import ipaddress
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

# Client identities every cluster gets: file stem -> (CommonName, Organization).
CLIENTS = {
    "admin": ("fleet-admin", "system:masters"),
    "controller-manager": ("system:kube-controller-manager", None),
    "scheduler": ("system:kube-scheduler", None),
    "kwok": ("kwok-controller", "system:masters"),
    "front-proxy-client": ("front-proxy-client", None),
}


def _key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _name(common_name, organization=None):
    attrs = [x509.NameAttribute(NameOID.COMMON_NAME, common_name)]
    if organization:
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization))
    return x509.Name(attrs)


def _write(path, cert, key):
    path.with_suffix(".crt").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path = path.with_suffix(".key")
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()
        )
    )
    key_path.chmod(0o600)


def _load(path):
    cert = x509.load_pem_x509_certificate(path.with_suffix(".crt").read_bytes())
    key = serialization.load_pem_private_key(path.with_suffix(".key").read_bytes(), password=None)
    return cert, key


def _builder(subject, issuer, public_key, days):
    now = datetime.datetime.now(datetime.timezone.utc)
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=days))
    )


def _ca(path, common_name):
    if path.with_suffix(".crt").exists():
        return _load(path)
    key = _key()
    name = _name(common_name)
    cert = (
        _builder(name, name, key.public_key(), 3650)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True, key_cert_sign=True, crl_sign=True, content_commitment=False,
                key_encipherment=False, data_encipherment=False, key_agreement=False,
                encipher_only=False, decipher_only=False,
            ),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    _write(path, cert, key)
    return cert, key


def _leaf(path, ca, subject, usage, sans=()):
    if path.with_suffix(".crt").exists():
        return
    ca_cert, ca_key = ca
    key = _key()
    builder = _builder(subject, ca_cert.subject, key.public_key(), 365).add_extension(
        x509.ExtendedKeyUsage([usage]), critical=False
    )
    if sans:
        builder = builder.add_extension(x509.SubjectAlternativeName(list(sans)), critical=False)
    _write(path, builder.sign(ca_key, hashes.SHA256()), key)


def ensure_pki(directory: Path, cluster_name, service_ip):
    """Create (once) the CA, serving, client and service-account keys of one cluster."""
    directory.mkdir(parents=True, exist_ok=True)
    ca = _ca(directory / "ca", f"{cluster_name}-ca")
    front_proxy_ca = _ca(directory / "front-proxy-ca", f"{cluster_name}-front-proxy-ca")
    sans = [
        x509.DNSName("localhost"),
        x509.DNSName("kubernetes"),
        x509.DNSName("kubernetes.default"),
        x509.DNSName("kubernetes.default.svc"),
        x509.DNSName("kubernetes.default.svc.cluster.local"),
        x509.DNSName(f"{cluster_name}.fleet.local"),
        x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
        x509.IPAddress(ipaddress.ip_address(service_ip)),
    ]
    _leaf(directory / "apiserver", ca, _name("kube-apiserver"), ExtendedKeyUsageOID.SERVER_AUTH, sans)
    for stem, (common_name, organization) in CLIENTS.items():
        issuer = front_proxy_ca if stem == "front-proxy-client" else ca
        _leaf(directory / stem, issuer, _name(common_name, organization), ExtendedKeyUsageOID.CLIENT_AUTH)
    sa_key = directory / "sa.key"
    if not sa_key.exists():
        key = _key()
        sa_key.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                serialization.NoEncryption(),
            )
        )
        sa_key.chmod(0o600)
        (directory / "sa.pub").write_bytes(
            key.public_key().public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
        )


def ensure_ca(directory: Path, common_name):
    """A CA of its own, for TLS between processes a test runs beside the fleet (Thanos' gRPC)."""
    directory.mkdir(parents=True, exist_ok=True)
    _ca(directory / "ca", common_name)


def ensure_client_cert(directory: Path, stem, common_name):
    """A client certificate signed by the directory's CA."""
    _leaf(directory / stem, _load(directory / "ca"), _name(common_name), ExtendedKeyUsageOID.CLIENT_AUTH)


def ensure_serving_cert(directory: Path, stem, dns_names, ips=("127.0.0.1",)):
    """A serving certificate signed by the cluster's CA, for a server the API server calls (webhooks, APIServices)."""
    sans = [x509.DNSName(name) for name in dns_names] + [x509.IPAddress(ipaddress.ip_address(ip)) for ip in ips]
    _leaf(directory / stem, _load(directory / "ca"), _name(stem), ExtendedKeyUsageOID.SERVER_AUTH, sans)
