# Orders travel from the service to the worker through Pub/Sub: a topic, a
# push subscription that calls the worker with an OIDC token, and a dead-letter
# topic with a pull subscription where the author inspects what failed.

resource "google_pubsub_topic" "orders" {
  #checkov:skip=CKV_GCP_83: Google-managed encryption; a customer-managed key adds cost and an outage mode for order messages that live seconds
  name = "${var.name}-orders"

  depends_on = [google_project_service.apis]
}

resource "google_pubsub_topic" "dead_letter" {
  #checkov:skip=CKV_GCP_83: Google-managed encryption; a customer-managed key adds cost and an outage mode for a handful of failed messages
  name = "${var.name}-orders-dead-letter"

  depends_on = [google_project_service.apis]
}

resource "google_pubsub_subscription" "worker_push" {
  name  = "${var.name}-worker-push"
  topic = google_pubsub_topic.orders.id

  # Pub/Sub waits this long for the worker's answer; the worker's Cloud Run
  # request timeout is the same (run.tf), so a slow stamping is not redelivered
  # while it still runs.
  ack_deadline_seconds       = var.ack_deadline_seconds
  message_retention_duration = "604800s"

  # Never expire: a quiet month without sales must not delete the subscription.
  expiration_policy {
    ttl = ""
  }

  push_config {
    push_endpoint = "${local.worker_url}/pubsub/push"

    # The worker checks this token's audience (PUSH_AUDIENCE) and email
    # (PUSH_SERVICE_ACCOUNT); Cloud Run checks the push account may invoke it.
    oidc_token {
      service_account_email = google_service_account.push.email
      audience              = local.worker_url
    }
  }

  retry_policy {
    minimum_backoff = "10s"
    maximum_backoff = "600s"
  }

  dead_letter_policy {
    dead_letter_topic     = google_pubsub_topic.dead_letter.id
    max_delivery_attempts = var.max_delivery_attempts
  }

  depends_on = [
    google_cloud_run_v2_service_iam_member.push_invokes_worker,
    google_pubsub_topic_iam_member.pubsub_agent_publishes_dead_letters,
  ]
}

resource "google_pubsub_subscription" "dead_letter_inspect" {
  name  = "${var.name}-orders-dead-letter-inspect"
  topic = google_pubsub_topic.dead_letter.id

  ack_deadline_seconds       = 60
  message_retention_duration = "2678400s" # 31 days, the most Pub/Sub keeps

  expiration_policy {
    ttl = ""
  }
}
