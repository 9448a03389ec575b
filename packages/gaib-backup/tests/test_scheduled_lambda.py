"""The Lambda handler, invoked with real EventBridge scheduled-event payloads, backs up every due
server on moto (S3 + KMS + DynamoDB), puts the failure metric on moto's CloudWatch and notifies
through SNS (read back from an SQS subscription) and a Discord webhook (a loopback receiver)."""

from __future__ import annotations

import datetime as dt
import json
import threading
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import boto3
import pytest
from gaib_backup import aws_lambda, scheduled
from gaib_backup.backups import list_backups
from gaib_backup.context import BackupContext
from gaib_backup.names import FAILURE_METRIC, METRIC_NAMESPACE, TIER_TAG
from gaib_core.state.backend import encode_state
from gaib_core.state.backends import FsspecBackend
from gaib_core.state.models import ResourceState, State
from gaib_core.testing.moto import REGION, MotoDynamo, MotoS3

ACCOUNT = "123456789012"


def scheduled_event(rule: str, when: str = "2026-11-29T03:00:00Z") -> dict[str, Any]:
    """An EventBridge "Scheduled Event" exactly as EventBridge delivers it to a Lambda target."""
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": ACCOUNT,
        "time": when,
        "region": REGION,
        "resources": [f"arn:aws:events:{REGION}:{ACCOUNT}:rule/{rule}"],
        "detail": {},
    }


class WebhookReceiver:
    """A Discord-webhook-shaped HTTP endpoint on loopback that records what it is sent."""

    def __init__(self) -> None:
        self.posts: list[dict[str, Any]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers["Content-Length"])
                receiver.posts.append(
                    {
                        "path": self.path,
                        "user_agent": self.headers["User-Agent"],
                        "body": json.loads(self.rfile.read(length)),
                    }
                )
                answer = json.dumps({"id": str(len(receiver.posts))}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args: object) -> None:
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/api/webhooks/1234/secret-token"


@pytest.fixture
def webhook() -> Iterator[WebhookReceiver]:
    receiver = WebhookReceiver()
    receiver.thread.start()
    yield receiver
    receiver.server.shutdown()
    receiver.server.server_close()


class Deployment:
    """What infrastructure/terraform creates, on moto, and the Lambda's environment for it."""

    def __init__(self, s3: MotoS3, dynamo: MotoDynamo, kms_key: str) -> None:
        self.s3, self.dynamo = s3, dynamo

        def client(service: str) -> Any:
            return boto3.client(service, endpoint_url=s3.endpoint_url, region_name=REGION)

        self.sns, self.sqs, self.cloudwatch, self.s3_client = (
            client("sns"), client("sqs"), client("cloudwatch"), client("s3"),
        )  # fmt: skip
        self.topic_arn = self.sns.create_topic(
            Name=f"gaib-backup-notifications-{uuid.uuid4().hex[:8]}"
        )["TopicArn"]
        self.queue_url = self.sqs.create_queue(QueueName=f"subscriber-{uuid.uuid4().hex[:8]}")[
            "QueueUrl"
        ]
        queue_arn = self.sqs.get_queue_attributes(
            QueueUrl=self.queue_url, AttributeNames=["QueueArn"]
        )["Attributes"]["QueueArn"]
        self.sns.subscribe(TopicArn=self.topic_arn, Protocol="sqs", Endpoint=queue_arn)
        self.env = {
            **s3.env(),
            "GAIB_BACKUP_STORE": s3.url("backups"),
            "GAIB_BACKUP_KMS_KEY": kms_key,
            "GAIB_BACKUP_METADATA": "dynamodb",
            "GAIB_BACKUP_METADATA_TABLE": dynamo.metadata_table,
            "GAIB_BACKUP_SERVER_TIERS_TABLE": dynamo.tiers_table,
            "GAIB_BACKUP_SNS_TOPIC_ARN": self.topic_arn,
        }

    def context(self) -> BackupContext:
        return BackupContext.from_settings(aws_lambda.settings_from_env(self.env))

    def put_state(self, server_id: str, roles: int) -> str:
        """Write a workspace's state on the S3 state backend; returns the backend URL."""
        url = self.s3.url(f"tfstate/{server_id}")
        state = State(
            workspace="default",
            lineage=str(uuid.uuid4()),
            serial=roles,
            guild_id=server_id,
            resources={
                f"role.r{i}": ResourceState(
                    type="role", id=str(900 + i), name=f"R{i}", attributes={}
                )
                for i in range(roles)
            },
        )
        FsspecBackend(url, self.s3.storage_options).write_bytes("default", encode_state(state))
        return url

    def messages(self) -> list[dict[str, Any]]:
        answer = self.sqs.receive_message(
            QueueUrl=self.queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1
        )
        found = [json.loads(m["Body"]) for m in answer.get("Messages", [])]
        for m in answer.get("Messages", []):
            self.sqs.delete_message(QueueUrl=self.queue_url, ReceiptHandle=m["ReceiptHandle"])
        return found

    def failure_metric(self) -> tuple[float, float]:
        """(sum of failures, number of data points) put in the last hour."""
        now = dt.datetime.now(dt.UTC)
        answer = self.cloudwatch.get_metric_statistics(
            Namespace=METRIC_NAMESPACE,
            MetricName=FAILURE_METRIC,
            StartTime=now - dt.timedelta(hours=1),
            EndTime=now + dt.timedelta(minutes=5),
            Period=60,
            Statistics=["Sum", "SampleCount"],
        )
        points = answer["Datapoints"]
        return sum(p["Sum"] for p in points), sum(p["SampleCount"] for p in points)


@pytest.fixture
def deployment(
    moto_s3: MotoS3, moto_dynamodb: MotoDynamo, moto_kms_key: str, monkeypatch: pytest.MonkeyPatch
) -> Deployment:
    deployment = Deployment(moto_s3, moto_dynamodb, moto_kms_key)
    for name, value in deployment.env.items():
        monkeypatch.setenv(name, value)
    return deployment


def test_handler_backs_up_every_due_server_and_notifies(
    deployment: Deployment, webhook: WebhookReceiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GAIB_BACKUP_DISCORD_WEBHOOK_URL", webhook.url)
    ctx = deployment.context()
    premium, free, broken = "111111111111111111", "222222222222222222", "333333333333333333"
    ctx.set_service_tier(premium, "premium")
    ctx.set_service_tier(free, "free")
    # No storage options: credentials and endpoint come from the environment, as in Lambda.
    scheduled.enrol(ctx, premium, "default", deployment.put_state(premium, 3))
    scheduled.enrol(ctx, free, "default", deployment.put_state(free, 2))
    # enrolled, but its state was never written: its backup fails, the others still run
    scheduled.enrol(ctx, broken, "default", deployment.s3.url(f"tfstate/{broken}"))

    # The metric is the moto account's, shared by every test: compare with what is there now.
    failures_before, points_before = deployment.failure_metric()

    # The hourly rule: premium servers only.
    result = aws_lambda.handler(scheduled_event("gaib-backup-hourly"), None)
    by_server = {o["server_id"]: o for o in result["outcomes"]}
    assert by_server[premium]["status"] == "backed-up"
    assert by_server[free]["status"] == by_server[broken]["status"] == "not-due"
    (backup,) = list_backups(ctx, premium)
    assert (backup.kind, backup.service_tier, backup.id) == (
        "scheduled",
        "premium",
        by_server[premium]["backup_id"],
    )
    assert list_backups(ctx, free) == []
    key = f"backups/{backup.key}"
    tags = deployment.s3_client.get_object_tagging(Bucket=deployment.s3.bucket, Key=key)["TagSet"]
    assert {"Key": TIER_TAG, "Value": "premium"} in tags
    head = deployment.s3_client.head_object(Bucket=deployment.s3.bucket, Key=key)
    assert head["ServerSideEncryption"] == "aws:kms"
    (message,) = deployment.messages()
    assert message["Subject"] == "gaib: 1 scheduled backup(s) succeeded"
    assert f"{premium}/default (premium): backed up as {backup.id}" in message["Message"]
    assert message["MessageAttributes"]["status"]["Value"] == "succeeded"
    (post,) = webhook.posts
    assert post["path"] == "/api/webhooks/1234/secret-token?wait=true"
    assert post["user_agent"].startswith("DiscordBot (")
    assert post["body"]["allowed_mentions"] == {"parse": []}
    (embed,) = post["body"]["embeds"]
    assert embed["title"] == message["Subject"] and backup.id in embed["description"]
    assert deployment.failure_metric() == (failures_before, points_before + 1)  # zero included

    # The same hour again (a retry, a doubled event): nothing is due, nothing stored twice.
    again = aws_lambda.handler(scheduled_event("gaib-backup-hourly"), None)
    assert {o["status"] for o in again["outcomes"]} == {"not-due"}
    assert len(list_backups(ctx, premium)) == 1

    # The daily rule at 03:00 UTC: the free servers; the one without state fails, loudly.
    daily = aws_lambda.handler(scheduled_event("gaib-backup-daily"), None)
    by_server = {o["server_id"]: o for o in daily["outcomes"]}
    assert by_server[free]["status"] == "backed-up"
    assert by_server[premium]["status"] == "not-due"
    assert by_server[broken]["status"] == "failed"
    assert (
        f"no state at {deployment.s3.url(f'tfstate/{broken}')}/default/state.json"
        in by_server[broken]["error"]
    )
    assert daily["status"] == "failed" and daily["failures"] == 1
    (free_backup,) = list_backups(ctx, free)
    assert (free_backup.kind, free_backup.service_tier) == ("scheduled", "free")
    assert deployment.failure_metric() == (failures_before + 1, points_before + 3)
    messages = deployment.messages()
    failed = [m for m in messages if m["MessageAttributes"]["status"]["Value"] == "failed"]
    assert len(failed) == 1
    assert failed[0]["Subject"] == "gaib: 1 scheduled backup(s) FAILED (1 succeeded)"
    assert f"{broken}/default (free): FAILED: no state at" in failed[0]["Message"]
    assert webhook.posts[-1]["body"]["embeds"][0]["color"] == 0xE74C3C
    assert "secret-token" not in json.dumps(daily)


def test_a_manual_invocation_runs_every_service_tier(deployment: Deployment) -> None:
    ctx = deployment.context()
    server = "444444444444444444"
    ctx.set_service_tier(server, "free")
    scheduled.enrol(ctx, server, "default", deployment.put_state(server, 1))
    result = aws_lambda.handler({"detail-type": "Scheduled Event", "resources": []}, None)
    assert result["trigger"] == "manual"
    assert [o["status"] for o in result["outcomes"]] == ["backed-up"]


def test_handler_without_a_store_names_the_variable(
    deployment: Deployment, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GAIB_BACKUP_STORE")
    with pytest.raises(Exception, match="GAIB_BACKUP_STORE is not set"):
        aws_lambda.handler(scheduled_event("gaib-backup-hourly"), None)
