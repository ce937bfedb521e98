# The two Cloud Run services, from one image: APP picks the app. Terraform owns
# their configuration; Cloud Build owns the image (lifecycle below), so an
# apply never rolls back a deploy.

locals {
  common_env = {
    STORAGE_BACKEND      = "gcs"
    PUBLISH_BACKEND      = "pubsub"
    GOOGLE_CLOUD_PROJECT = var.project_id
    PUBSUB_TOPIC         = google_pubsub_topic.orders.name
    CATALOG              = local.catalog
    SOURCE_BUCKET        = google_storage_bucket.originals.name
    DELIVERY_BUCKET      = google_storage_bucket.deliveries.name
    PUBLIC_URL           = local.public_url
    LINK_TTL             = tostring(var.link_ttl_days * 86400)
    DOWNLOAD_LIMIT       = tostring(var.download_limit)
    SHOP_NAME            = var.shop_name
    SUPPORT_EMAIL        = var.support_email
    LOG_LEVEL            = var.log_level
  }

  service_env = merge(local.common_env, {
    APP                     = "service"
    SIGNING_SERVICE_ACCOUNT = google_service_account.service.email
    SIGNED_URL_TTL          = tostring(var.signed_url_ttl_seconds)
    CORS_ORIGINS            = join(",", var.cors_origins)
    PADDLE_PUBLIC_KEY       = local.classic ? var.paddle_public_key : ""
  })

  # PUSH_AUTH = "cloud-run": the worker is private behind Cloud Run IAM, whose
  # front end checks the push OIDC token (signature, audience, invoker role)
  # and forwards it with the signature replaced by SIGNATURE_REMOVED_BY_GOOGLE
  # ("Cloud Run removes the token signature before passing the token to the
  # user container": https://cloud.google.com/run/docs/authenticating/service-to-service,
  # https://cloud.google.com/run/docs/troubleshooting#signature-removed). A
  # signature check in the app ("true") would refuse every push, so the app
  # enforces the claims instead: aud = PUSH_AUDIENCE, email =
  # PUSH_SERVICE_ACCOUNT, email_verified, iss, exp/iat.
  worker_env = merge(local.common_env, {
    APP                  = "worker"
    PUSH_AUTH            = "cloud-run"
    PUSH_AUDIENCE        = local.worker_url
    PUSH_SERVICE_ACCOUNT = google_service_account.push.email
    MAIL_FROM            = var.mail_from
    PADDLE_API_URL       = var.paddle_api_url
  })
}

resource "google_cloud_run_v2_service" "service" {
  name                = local.service_name
  location            = var.region
  description         = "exlibris public edge: Paddle webhooks, durable download links, links and verify pages."
  ingress             = "INGRESS_TRAFFIC_ALL"
  deletion_protection = false # stateless; the buckets hold what matters and refuse to be destroyed non-empty

  template {
    service_account = google_service_account.service.email
    timeout         = "60s"

    # gunicorn serves 8 requests at once (Dockerfile); Cloud Run sends no more.
    max_instance_request_concurrency = 8

    scaling {
      min_instance_count = 0
      max_instance_count = var.service_max_instances
    }

    containers {
      image = var.image

      resources {
        limits = {
          cpu    = "1"
          memory = "512Mi"
        }
        cpu_idle          = true
        startup_cpu_boost = true
      }

      # An empty value is left out: the app's default applies.
      dynamic "env" {
        for_each = { for k, v in local.service_env : k => v if v != "" }
        content {
          name  = env.key
          value = env.value
        }
      }

      dynamic "env" {
        for_each = local.service_secrets
        content {
          name = env.value.env
          value_source {
            secret_key_ref {
              secret  = google_secret_manager_secret.secrets[env.key].secret_id
              version = "latest"
            }
          }
        }
      }

      startup_probe {
        http_get {
          path = "/healthz"
        }
        period_seconds    = 2
        failure_threshold = 30
      }
    }
  }

  lifecycle {
    ignore_changes = [client, client_version, template[0].containers[0].image]
  }

  # Cloud Run checks at deploy time that the account can read its secrets.
  depends_on = [google_secret_manager_secret_iam_member.readers, google_project_service.apis]
}

resource "google_cloud_run_v2_service" "worker" {
  name        = local.worker_name
  location    = var.region
  description = "exlibris worker: Pub/Sub push endpoint that stamps copies and mails buyers."
  # Pub/Sub push from this project counts as internal traffic; nothing else
  # needs to reach the worker.
  ingress             = "INGRESS_TRAFFIC_INTERNAL_ONLY"
  deletion_protection = false # stateless; see the service

  template {
    service_account = google_service_account.worker.email
    timeout         = "${var.ack_deadline_seconds}s"

    # CPU-bound stamping: 2 gunicorn threads (Dockerfile) and 2 requests per
    # instance, so Cloud Run adds instances instead of queueing.
    max_instance_request_concurrency = 2

    scaling {
      min_instance_count = 0
      max_instance_count = var.worker_max_instances
    }

    containers {
      image = var.image

      resources {
        limits = {
          cpu    = "2"
          memory = "2Gi"
        }
        cpu_idle          = true
        startup_cpu_boost = true
      }

      dynamic "env" {
        for_each = { for k, v in local.worker_env : k => v if v != "" }
        content {
          name  = env.key
          value = env.value
        }
      }

      dynamic "env" {
        for_each = local.worker_secrets
        content {
          name = env.value.env
          value_source {
            secret_key_ref {
              secret  = google_secret_manager_secret.secrets[env.key].secret_id
              version = "latest"
            }
          }
        }
      }

      startup_probe {
        http_get {
          path = "/healthz"
        }
        period_seconds    = 2
        failure_threshold = 30
      }
    }
  }

  lifecycle {
    ignore_changes = [client, client_version, template[0].containers[0].image]
  }

  depends_on = [google_secret_manager_secret_iam_member.readers, google_project_service.apis]
}
