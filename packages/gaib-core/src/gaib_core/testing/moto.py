"""pytest fixtures for S3 tests: a real moto server on loopback (real HTTP, nothing patched).

Enable with ``pytest_plugins = ["gaib_core.testing.moto"]``. ``moto_server`` (session) starts
``moto.server.ThreadedMotoServer`` on 127.0.0.1 on a free port; ``moto_s3`` (per test) creates a
fresh bucket and yields :class:`MotoS3` ``(endpoint_url, bucket, storage_options)``, where
``storage_options`` are what ``s3fs`` (and so ``fsspec.core.url_to_fs``) needs, dummy credentials
included. ``moto_dynamodb`` creates the backup metadata and service-tier tables (PRD 16.1 key
schema, fresh names per test) and ``moto_kms_key`` a KMS key, on the same server. Without moto
installed the fixtures skip, except under ``CI=true``, where they fail.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator
from typing import Any, NamedTuple, NoReturn

import pytest

REGION = "us-east-1"
# moto accepts any credentials; these keep botocore from looking for real ones.
CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": REGION,
}


class MotoS3(NamedTuple):
    """A bucket on the moto server: ``s3://{bucket}/...`` with ``storage_options``."""

    endpoint_url: str
    bucket: str
    storage_options: dict[str, Any]

    def url(self, prefix: str = "") -> str:
        """``s3://<bucket>/<prefix>``."""
        return f"s3://{self.bucket}/{prefix}".rstrip("/")

    def env(self) -> dict[str, str]:
        """Environment variables for a subprocess that should reach this bucket."""
        return {**CREDENTIALS, "AWS_ENDPOINT_URL": self.endpoint_url}


def s3_storage_options(endpoint_url: str) -> dict[str, Any]:
    """``s3fs.S3FileSystem`` options for the moto server at ``endpoint_url``."""
    return {
        "key": CREDENTIALS["AWS_ACCESS_KEY_ID"],
        "secret": CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        "endpoint_url": endpoint_url,
        "client_kwargs": {"region_name": REGION},
    }


def _missing(what: str) -> NoReturn:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{what} is required under CI=true (install the dev dependencies)")
    pytest.skip(f"{what} is not installed")


@pytest.fixture(scope="session")
def moto_server() -> Iterator[str]:
    """A moto server on 127.0.0.1 (free port) for the whole session; yields its endpoint URL."""
    try:
        from moto.server import ThreadedMotoServer
    except ImportError:
        _missing("moto[server]")
    saved = {name: os.environ.get(name) for name in CREDENTIALS}
    os.environ.update(CREDENTIALS)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@pytest.fixture
def moto_s3(moto_server: str) -> Iterator[MotoS3]:
    """A fresh, empty bucket on the session's moto server."""
    try:
        import s3fs
    except ImportError:
        _missing("s3fs")
    options = s3_storage_options(moto_server)
    bucket = f"gaib-test-{uuid.uuid4().hex[:16]}"
    fs = s3fs.S3FileSystem(**options)
    # A plain CreateBucket: s3fs.mkdir adds a LocationConstraint that us-east-1 refuses.
    fs.call_s3("create_bucket", Bucket=bucket)
    fs.invalidate_cache()
    yield MotoS3(moto_server, bucket, options)
    with contextlib.suppress(OSError):  # best effort: the session's server goes away anyway
        fs.rm(bucket, recursive=True)


class MotoDynamo(NamedTuple):
    """The two DynamoDB tables of gaib-backup on the moto server (names unique per test)."""

    endpoint_url: str
    metadata_table: str
    tiers_table: str

    def env(self) -> dict[str, str]:
        """Environment variables for a subprocess that should reach these tables."""
        return {**CREDENTIALS, "AWS_ENDPOINT_URL": self.endpoint_url}


def _boto3_client(service: str, endpoint_url: str) -> Any:
    try:
        import boto3
    except ImportError:
        _missing("boto3")
    return boto3.client(service, endpoint_url=endpoint_url, region_name=REGION)


@pytest.fixture
def moto_dynamodb(moto_server: str) -> Iterator[MotoDynamo]:
    """Fresh ``gaib-backup-metadata`` (PK/SK, GSI1, TTL) and ``gaib-server-tiers`` (PK) tables."""
    client = _boto3_client("dynamodb", moto_server)
    suffix = uuid.uuid4().hex[:10]
    metadata, tiers = f"gaib-backup-metadata-{suffix}", f"gaib-server-tiers-{suffix}"
    attributes = [
        {"AttributeName": name, "AttributeType": "S"} for name in ("PK", "SK", "GSI1PK", "GSI1SK")
    ]
    client.create_table(
        TableName=metadata,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=attributes,
        KeySchema=[
            {"AttributeName": "PK", "KeyType": "HASH"},
            {"AttributeName": "SK", "KeyType": "RANGE"},
        ],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "GSI1",
                "KeySchema": [
                    {"AttributeName": "GSI1PK", "KeyType": "HASH"},
                    {"AttributeName": "GSI1SK", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
    )
    client.update_time_to_live(
        TableName=metadata, TimeToLiveSpecification={"Enabled": True, "AttributeName": "TTL"}
    )
    client.create_table(
        TableName=tiers,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "PK", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "PK", "KeyType": "HASH"}],
    )
    yield MotoDynamo(moto_server, metadata, tiers)
    for table in (metadata, tiers):
        with contextlib.suppress(Exception):  # best effort: the server goes away anyway
            client.delete_table(TableName=table)


@pytest.fixture
def moto_kms_key(moto_server: str) -> str:
    """The id of a fresh symmetric KMS key on the moto server."""
    client = _boto3_client("kms", moto_server)
    return str(client.create_key(Description="gaib test backups")["KeyMetadata"]["KeyId"])
