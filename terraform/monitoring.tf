# Cloud Monitoring: alerts for what needs the author, log-based metrics of what
# the worker does, and one dashboard.
#
# Contract with the worker's logs (worker/, JSON lines that Cloud Logging
# reads into jsonPayload). These metrics match on these fields; renaming one
# in the worker silently empties a metric, so change both sides together:
#   jsonPayload.event = "order_mailed"   one per order whose mail SendGrid accepted
#   jsonPayload.event = "mail_failed"    a mail that could not be sent, or that bounced
#                                        or was dropped (SendGrid's Event Webhook), logged
#                                        with severity ERROR or higher
#   jsonPayload.event = "copies_stored"  an order's stamped copies are written,
#                                        with jsonPayload.stamp_seconds: the
#                                        seconds stamping took (a number)
# and with the service's (service/webhooks.py):
#   jsonPayload.event = "webhook_rejected"  a store's webhook answered 401 or 400,
#                                           jsonPayload.source naming the store
#
# Alerts always exist (their incidents show in the console); they mail
# var.alert_email only when it is set. Provider references:
# https://registry.terraform.io/providers/hashicorp/google/latest/docs/resources/monitoring_alert_policy
# (condition_threshold, denominator_filter, denominator_aggregations) and
# .../docs/resources/logging_metric (value_extractor, bucket_options).

locals {
  alert_channels = google_monitoring_notification_channel.email[*].name

  # Log entries of the worker (a Logging filter: `labels`), whatever the revision.
  worker_logs = "resource.type=\"cloud_run_revision\" AND resource.labels.service_name=\"${local.worker_name}\""

  # Log entries of the public service: its webhook edge.
  service_logs = "resource.type=\"cloud_run_revision\" AND resource.labels.service_name=\"${local.service_name}\""

  # Monitoring filters name labels `resource.label.X`, `metric.label.X`.
  dead_letter_subscription = "resource.type=\"pubsub_subscription\" AND resource.label.subscription_id=\"${google_pubsub_subscription.dead_letter_inspect.name}\""

  requests = {
    for key, run in local.runs : key => join(" AND ", [
      "metric.type=\"run.googleapis.com/request_count\"",
      "resource.type=\"cloud_run_revision\"",
      "resource.label.service_name=\"${run.name}\"",
    ])
  }
}

resource "google_monitoring_notification_channel" "email" {
  count = var.alert_email == "" ? 0 : 1

  display_name = "${var.name} alerts"
  type         = "email"
  labels = {
    email_address = var.alert_email
  }

  depends_on = [google_project_service.apis]
}

# --- log-based metrics ---------------------------------------------------

# Metric names carry the deployment's name, as every other resource does, so
# two shops can share a project.
resource "google_logging_metric" "orders_mailed" {
  name        = "${var.name}/orders_mailed"
  description = "Orders whose delivery mail was sent (worker log event order_mailed)."
  filter      = "${local.worker_logs} AND jsonPayload.event=\"order_mailed\""

  metric_descriptor {
    metric_kind = "DELTA"
    value_type  = "INT64"
    unit        = "1"
  }

  depends_on = [google_project_service.apis]
}

resource "google_logging_metric" "mail_failures" {
  name        = "${var.name}/mail_failures"
  description = "Delivery mails that failed (worker log event mail_failed, severity ERROR or higher)."
  filter      = "${local.worker_logs} AND severity>=ERROR AND jsonPayload.event=\"mail_failed\""

  metric_descriptor {
    metric_kind = "DELTA"
    value_type  = "INT64"
    unit        = "1"
  }

  depends_on = [google_project_service.apis]
}

resource "google_logging_metric" "webhooks_rejected" {
  name        = "${var.name}/webhooks_rejected"
  description = "Store webhooks refused with 401 or 400 (service log event webhook_rejected), by store."
  filter      = "${local.service_logs} AND jsonPayload.event=\"webhook_rejected\""

  metric_descriptor {
    metric_kind = "DELTA"
    value_type  = "INT64"
    unit        = "1"
    labels {
      key         = "source"
      value_type  = "STRING"
      description = "The store whose webhook was refused (its route name)."
    }
  }
  label_extractors = {
    source = "EXTRACT(jsonPayload.source)"
  }

  depends_on = [google_project_service.apis]
}

resource "google_logging_metric" "stamp_seconds" {
  name        = "${var.name}/stamp_seconds"
  description = "Seconds the worker took to stamp an order's copies (log event copies_stored)."
  filter      = "${local.worker_logs} AND jsonPayload.event=\"copies_stored\""

  # A distribution needs the value to extract and the histogram's buckets.
  value_extractor = "EXTRACT(jsonPayload.stamp_seconds)"

  metric_descriptor {
    metric_kind = "DELTA"
    value_type  = "DISTRIBUTION"
    unit        = "s"
  }

  # 0.1 s to 0.1 * 1.5^20 ≈ 330 s in 20 buckets: fine below a second, and the
  # last finite one just past the default ack deadline (300 s); anything longer
  # lands in the overflow bucket.
  bucket_options {
    exponential_buckets {
      num_finite_buckets = 20
      growth_factor      = 1.5
      scale              = 0.1
    }
  }

  depends_on = [google_project_service.apis]
}

# --- alerts ----------------------------------------------------------------

# A message reaches the dead-letter topic only after every delivery to the
# worker failed; it waits in the inspect subscription until the author replays
# or drops it (`exlibris dead-letters`, `exlibris replay`).
resource "google_monitoring_alert_policy" "dead_letters" {
  display_name          = "${var.name}: undelivered orders older than 10 minutes"
  combiner              = "OR"
  notification_channels = local.alert_channels

  conditions {
    display_name = "Oldest dead letter older than 600 s"
    condition_threshold {
      filter          = "metric.type=\"pubsub.googleapis.com/subscription/oldest_unacked_message_age\" AND ${local.dead_letter_subscription}"
      comparison      = "COMPARISON_GT"
      threshold_value = 600
      duration        = "0s"
      aggregations {
        alignment_period   = "60s"
        per_series_aligner = "ALIGN_MAX"
      }
    }
  }

  documentation {
    mime_type = "text/markdown"
    content   = "An order failed every delivery to the worker and waits in `${google_pubsub_subscription.dead_letter_inspect.name}`. Read the worker's errors, fix the cause, then `exlibris dead-letters` and `exlibris replay --all`."
  }

  depends_on = [google_project_service.apis]
}

# 5xx responses over all responses of each service, over 5 minutes: a ratio
# of two filters (condition_threshold with denominator_filter), not MQL.
# Both sides use the same alignment and grouping, as a ratio requires.
resource "google_monitoring_alert_policy" "server_errors" {
  for_each = local.runs

  display_name          = "${each.value.name}: more than 5% of requests fail (5xx)"
  combiner              = "OR"
  notification_channels = local.alert_channels

  conditions {
    display_name = "5xx ratio above 5% over 5 minutes"
    condition_threshold {
      filter             = "${local.requests[each.key]} AND metric.label.response_code_class=\"5xx\""
      denominator_filter = local.requests[each.key]
      comparison         = "COMPARISON_GT"
      threshold_value    = 0.05
      duration           = "0s"
      # No requests at all is no error rate, not an incident.
      evaluation_missing_data = "EVALUATION_MISSING_DATA_INACTIVE"
      aggregations {
        alignment_period     = "300s"
        per_series_aligner   = "ALIGN_DELTA"
        cross_series_reducer = "REDUCE_SUM"
        group_by_fields      = ["resource.label.service_name"]
      }
      denominator_aggregations {
        alignment_period     = "300s"
        per_series_aligner   = "ALIGN_DELTA"
        cross_series_reducer = "REDUCE_SUM"
        group_by_fields      = ["resource.label.service_name"]
      }
    }
  }

  documentation {
    mime_type = "text/markdown"
    content   = "More than 5% of the requests to ${each.value.name} answered 5xx over 5 minutes. The service's error log says why."
  }

  depends_on = [google_project_service.apis]
}

# Monitoring may refuse (404) an alert on a log-based metric created seconds
# before; docs/deploy.md creates the metric in the first, targeted apply
# (hashicorp/terraform-provider-google#11102). If it still happens, apply again.
resource "google_monitoring_alert_policy" "mail_failures" {
  display_name          = "${var.name}: a delivery mail failed"
  combiner              = "OR"
  notification_channels = local.alert_channels

  conditions {
    display_name = "Mail failures in 5 minutes above 0"
    condition_threshold {
      filter                  = "metric.type=\"logging.googleapis.com/user/${google_logging_metric.mail_failures.name}\" AND resource.type=\"cloud_run_revision\""
      comparison              = "COMPARISON_GT"
      threshold_value         = 0
      duration                = "0s"
      evaluation_missing_data = "EVALUATION_MISSING_DATA_INACTIVE"
      aggregations {
        alignment_period     = "300s"
        per_series_aligner   = "ALIGN_DELTA"
        cross_series_reducer = "REDUCE_SUM"
      }
    }
  }

  documentation {
    mime_type = "text/markdown"
    content   = "A mail to a buyer failed (log event mail_failed): the worker could not send it (Pub/Sub retries the order; check SendGrid's API key and sender authentication, or the SMTP relay's settings, in the worker's log), or SendGrid reported it bounced or dropped (`exlibris orders --status undeliverable`; correct the address with `exlibris resend ID --to ADDRESS --reason TEXT`)."
  }

  depends_on = [google_project_service.apis]
}

# A store stops sending what keeps failing: Shopify deletes a subscription after 8
# failed tries over 4 hours (shopify.dev/changelog/updates-to-webhook-retry-mechanism),
# WooCommerce disables a webhook after repeated failures (class-wc-webhook.php,
# failed_delivery), Stripe mails and then may disable an endpoint. A wrong or rotated
# secret makes every delivery a 401 that no 5xx alert sees, so rejections alert here.
resource "google_monitoring_alert_policy" "webhooks_rejected" {
  display_name          = "${var.name}: a store's webhooks are being refused"
  combiner              = "OR"
  notification_channels = local.alert_channels

  conditions {
    display_name = "More than 3 refused webhooks of one store in 30 minutes"
    condition_threshold {
      filter                  = "metric.type=\"logging.googleapis.com/user/${google_logging_metric.webhooks_rejected.name}\" AND resource.type=\"cloud_run_revision\""
      comparison              = "COMPARISON_GT"
      threshold_value         = 3
      duration                = "0s"
      evaluation_missing_data = "EVALUATION_MISSING_DATA_INACTIVE"
      aggregations {
        alignment_period     = "1800s"
        per_series_aligner   = "ALIGN_DELTA"
        cross_series_reducer = "REDUCE_SUM"
        group_by_fields      = ["metric.label.source"]
      }
    }
  }

  documentation {
    mime_type = "text/markdown"
    content   = "A store's webhooks are answered 401 (signature) or 400 (unreadable) again and again. Usually the store's secret in Secret Manager does not match the store's (a rolled Stripe secret, a new Shopify app): the service's log line `webhook rejected` names the store and the reason. Fix it before the store gives up on the webhook: Shopify deletes the subscription after 8 failed tries over 4 hours, WooCommerce disables it."
  }

  depends_on = [google_project_service.apis]
}

# --- dashboard -------------------------------------------------------------

locals {
  # One chart tile: a title and one line per (label, filter, aggregation).
  dashboard_tiles = [
    {
      title = "Orders mailed per hour"
      plot  = "STACKED_BAR"
      lines = [{
        label  = "orders"
        filter = "metric.type=\"logging.googleapis.com/user/${google_logging_metric.orders_mailed.name}\" AND resource.type=\"cloud_run_revision\""
        aggregation = {
          alignmentPeriod    = "3600s"
          perSeriesAligner   = "ALIGN_DELTA"
          crossSeriesReducer = "REDUCE_SUM"
        }
      }]
    },
    {
      # Every request of the public service: webhooks, link clicks and pages.
      title = "Service latency p50 / p99 (webhooks, links, pages)"
      plot  = "LINE"
      lines = [for p in ["50", "99"] : {
        label  = "p${p}"
        filter = "metric.type=\"run.googleapis.com/request_latencies\" AND resource.type=\"cloud_run_revision\" AND resource.label.service_name=\"${local.service_name}\""
        aggregation = {
          alignmentPeriod    = "60s"
          perSeriesAligner   = "ALIGN_DELTA"
          crossSeriesReducer = "REDUCE_PERCENTILE_${p}"
        }
      }]
    },
    {
      title = "Dead letters waiting"
      plot  = "LINE"
      lines = [{
        label  = "messages"
        filter = "metric.type=\"pubsub.googleapis.com/subscription/num_undelivered_messages\" AND ${local.dead_letter_subscription}"
        aggregation = {
          alignmentPeriod    = "60s"
          perSeriesAligner   = "ALIGN_MAX"
          crossSeriesReducer = "REDUCE_SUM"
        }
      }]
    },
    {
      title = "Stamping time p50 / p99 (s)"
      plot  = "LINE"
      lines = [for p in ["50", "99"] : {
        label  = "p${p}"
        filter = "metric.type=\"logging.googleapis.com/user/${google_logging_metric.stamp_seconds.name}\" AND resource.type=\"cloud_run_revision\""
        aggregation = {
          alignmentPeriod    = "300s"
          perSeriesAligner   = "ALIGN_DELTA"
          crossSeriesReducer = "REDUCE_PERCENTILE_${p}"
        }
      }]
    },
  ]
}

# dashboard_json follows the Dashboards API (projects.dashboards): a grid of
# xyChart widgets, each data set a timeSeriesFilter with its aggregation.
resource "google_monitoring_dashboard" "exlibris" {
  dashboard_json = jsonencode({
    displayName = "${var.name}: orders, latency, dead letters, stamping"
    gridLayout = {
      columns = "2"
      widgets = [for tile in local.dashboard_tiles : {
        title = tile.title
        xyChart = {
          dataSets = [for line in tile.lines : {
            plotType        = tile.plot
            legendTemplate  = line.label
            timeSeriesQuery = { timeSeriesFilter = { filter = line.filter, aggregation = line.aggregation } }
          }]
        }
      }]
    }
  })

  depends_on = [google_project_service.apis]
}
