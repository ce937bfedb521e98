"""terraform/monitoring.tf read offline: alerts, log-based metrics, the dashboard.

Filters are Terraform templates, so the checks look at the text as written
(`\\"` unescaped to `"`) and follow the locals it names.
"""

from __future__ import annotations

import re

import pytest

from tests.deploy.terraform import TERRAFORM, literal, locals_, resource, resources, variables


def text(value) -> str:
    """A parsed string as written in the .tf file, quotes unescaped."""
    return literal(str(value)).replace('\\"', '"')


def condition(policy: str) -> dict:
    (cond,) = resource("google_monitoring_alert_policy", policy).body["conditions"]
    (threshold,) = cond["condition_threshold"]
    return threshold


def header_comment() -> str:
    lines = (TERRAFORM / "monitoring.tf").read_text().splitlines()
    return "\n".join(line for line in lines[: lines.index("")] if line.startswith("#"))


def test_alert_email_is_optional_and_validated():
    var = variables()["alert_email"]
    assert literal(var["default"]) == ""
    (validation,) = var["validation"]
    assert 'var.alert_email == ""' in validation["condition"]
    assert "@" in validation["condition"]


def test_an_email_channel_exists_only_with_an_address():
    channel = resource("google_monitoring_notification_channel", "email").body
    assert channel["count"] == '${var.alert_email == "" ? 0 : 1}'
    assert literal(channel["type"]) == "email"
    assert channel["labels"] == {"email_address": "${var.alert_email}"}
    assert locals_()["alert_channels"] == "${google_monitoring_notification_channel.email[*].name}"


@pytest.mark.parametrize("policy", [r.name for r in resources("google_monitoring_alert_policy")])
def test_every_alert_notifies_the_channel_and_says_what_to_do(policy):
    body = resource("google_monitoring_alert_policy", policy).body
    assert body["notification_channels"] == "${local.alert_channels}"
    (doc,) = body["documentation"]
    assert literal(doc["mime_type"]) == "text/markdown" and literal(doc["content"]).strip()
    assert "condition_monitoring_query_language" not in body["conditions"][0]


def test_the_alerts_are_the_four_asked_for():
    names = {r.name for r in resources("google_monitoring_alert_policy")}
    assert names == {"dead_letters", "server_errors", "mail_failures", "webhooks_rejected"}


def test_dead_letters_older_than_ten_minutes_alert():
    threshold = condition("dead_letters")
    metric = 'metric.type="pubsub.googleapis.com/subscription/oldest_unacked_message_age"'
    assert metric in text(threshold["filter"])
    assert "${local.dead_letter_subscription}" in threshold["filter"]
    subscription = text(locals_()["dead_letter_subscription"])
    assert 'resource.type="pubsub_subscription"' in subscription
    assert "${google_pubsub_subscription.dead_letter_inspect.name}" in subscription
    assert literal(threshold["comparison"]) == "COMPARISON_GT"
    assert threshold["threshold_value"] == 600


def test_each_service_alerts_on_a_5xx_ratio_above_five_percent_over_five_minutes():
    policy = resource("google_monitoring_alert_policy", "server_errors").body
    assert policy["for_each"] == "${local.runs}"
    threshold = condition("server_errors")
    assert threshold["denominator_filter"] == "${local.requests[each.key]}"
    numerator = text(threshold["filter"])
    assert numerator.startswith("${local.requests[each.key]} AND ")
    assert 'metric.label.response_code_class="5xx"' in numerator
    requests = text(locals_()["requests"])
    assert "for key, run in local.runs" in requests
    assert 'metric.type="run.googleapis.com/request_count"' in requests
    assert 'resource.label.service_name="${run.name}"' in requests
    assert "response_code_class" not in requests  # the denominator counts every response
    assert literal(threshold["comparison"]) == "COMPARISON_GT"
    assert threshold["threshold_value"] == 0.05
    (numerator_agg,) = threshold["aggregations"]
    (denominator_agg,) = threshold["denominator_aggregations"]
    assert numerator_agg == denominator_agg, "a ratio needs the same alignment and grouping"
    assert literal(numerator_agg["alignment_period"]) == "300s"


def test_a_failed_mail_alerts_at_once():
    threshold = condition("mail_failures")
    assert "${google_logging_metric.mail_failures.name}" in threshold["filter"]
    assert 'metric.type="logging.googleapis.com/user/' in text(threshold["filter"])
    assert threshold["threshold_value"] == 0
    assert literal(threshold["comparison"]) == "COMPARISON_GT"
    (agg,) = threshold["aggregations"]
    assert literal(agg["alignment_period"]) == "300s"


def log_metric(name: str) -> dict:
    return resource("google_logging_metric", name).body


SERVICE_METRICS = {"webhooks_rejected"}  # the edge's; every other metric is the worker's


def test_log_metrics_read_their_own_services_entries_only():
    worker_logs = text(locals_()["worker_logs"])
    assert 'resource.type="cloud_run_revision"' in worker_logs
    assert 'resource.labels.service_name="${local.worker_name}"' in worker_logs
    service_logs = text(locals_()["service_logs"])
    assert 'resource.labels.service_name="${local.service_name}"' in service_logs
    for r in resources("google_logging_metric"):
        logs = "service_logs" if r.name in SERVICE_METRICS else "worker_logs"
        assert text(r.body["filter"]).startswith(f"${{local.{logs}}} AND "), r.name
        assert literal(r.body["name"]) == f"${{var.name}}/{r.name}"


def test_refused_webhooks_alert_per_store():
    body = log_metric("webhooks_rejected")
    assert 'jsonPayload.event="webhook_rejected"' in text(body["filter"])
    assert literal(body["label_extractors"]["source"]) == "EXTRACT(jsonPayload.source)"
    threshold = condition("webhooks_rejected")
    assert "${google_logging_metric.webhooks_rejected.name}" in threshold["filter"]
    assert threshold["threshold_value"] == 3
    (agg,) = threshold["aggregations"]
    assert [literal(f) for f in agg["group_by_fields"]] == ["metric.label.source"]


@pytest.mark.parametrize(
    ("metric", "event"),
    [("orders_mailed", "order_mailed"), ("mail_failures", "mail_failed")],
)
def test_counters_count_one_event(metric, event):
    body = log_metric(metric)
    assert f'jsonPayload.event="{event}"' in text(body["filter"])
    (descriptor,) = body["metric_descriptor"]
    assert (literal(descriptor["metric_kind"]), literal(descriptor["value_type"])) == (
        "DELTA",
        "INT64",
    )


def test_mail_failures_are_errors():
    assert "severity>=ERROR" in text(log_metric("mail_failures")["filter"])


def test_stamp_seconds_is_a_distribution_of_the_logged_seconds():
    body = log_metric("stamp_seconds")
    assert 'jsonPayload.event="copies_stored"' in text(body["filter"])
    assert literal(body["value_extractor"]) == "EXTRACT(jsonPayload.stamp_seconds)"
    (descriptor,) = body["metric_descriptor"]
    assert literal(descriptor["value_type"]) == "DISTRIBUTION"
    assert literal(descriptor["unit"]) == "s"
    (buckets,) = body["bucket_options"]
    assert {"explicit_buckets", "exponential_buckets"} & set(buckets)


def test_the_log_contract_is_written_at_the_top_of_the_file():
    comment = header_comment()
    filters = " ".join(text(r.body["filter"]) for r in resources("google_logging_metric"))
    events = set(re.findall(r'jsonPayload\.event="(\w+)"', filters))
    assert events == {"order_mailed", "mail_failed", "copies_stored", "webhook_rejected"}
    for field in (*events, "stamp_seconds"):
        assert field in comment, f"{field} is missing from monitoring.tf's contract comment"


def tiles() -> dict[str, str]:
    """Dashboard tile title => its data sets, as written."""
    return {literal(t["title"]): text(t["lines"]) for t in locals_()["dashboard_tiles"]}


def test_the_dashboard_is_json_built_from_the_tiles():
    body = resource("google_monitoring_dashboard", "exlibris").body
    dashboard = body["dashboard_json"]
    assert dashboard.startswith("${jsonencode(")
    assert "for tile in local.dashboard_tiles" in dashboard
    assert "timeSeriesFilter" in dashboard and "xyChart" in dashboard


@pytest.mark.parametrize(
    ("title", "wanted"),
    [
        ("Orders mailed per hour", ["${google_logging_metric.orders_mailed.name}", "3600s"]),
        (
            "Service latency p50 / p99 (webhooks, links, pages)",
            [
                "run.googleapis.com/request_latencies",
                'service_name="${local.service_name}"',
                "ALIGN_DELTA",
                'for p in ["50", "99"]',
                "REDUCE_PERCENTILE_${p}",
            ],
        ),
        (
            "Dead letters waiting",
            ["subscription/num_undelivered_messages", "${local.dead_letter_subscription}"],
        ),
        (
            "Stamping time p50 / p99 (s)",
            [
                "${google_logging_metric.stamp_seconds.name}",
                "ALIGN_DELTA",
                'for p in ["50", "99"]',
                "REDUCE_PERCENTILE_${p}",
            ],
        ),
    ],
)
def test_the_dashboard_has_the_tile(title, wanted):
    lines = tiles()[title]
    for part in wanted:
        assert part in lines, part


@pytest.mark.parametrize(
    "r", [r for r in resources() if r.file == "monitoring.tf"], ids=lambda r: r.address
)
def test_monitoring_waits_for_its_apis(r):
    assert "${google_project_service.apis}" in r.body["depends_on"]
