# The three Cloud Run services, from one image: APP picks the app. One resource
# for all, over local.runs: what differs between them is a value in that map,
# everything else is the same by construction. Terraform owns their
# configuration; Cloud Build owns the image (lifecycle below), so an apply
# never rolls back a deploy.

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
    SHOP_LANGUAGE        = var.shop_language
    SUPPORT_EMAIL        = var.support_email
    LOG_LEVEL            = var.log_level
    # Every app reads the catalog, whose imprints' senders are checked against these two.
    MAIL_FROM    = var.mail_from
    MAIL_DOMAINS = join(",", var.mail_domains)
  }

  service_env = merge(local.common_env, {
    APP                     = "service"
    SIGNING_SERVICE_ACCOUNT = google_service_account.service.email
    SIGNED_URL_TTL          = tostring(var.signed_url_ttl_seconds)
    CORS_ORIGINS            = join(",", var.cors_origins)
    PADDLE_PUBLIC_KEY       = local.classic ? var.paddle_public_key : ""
    LEMONSQUEEZY_ALLOW_TEST = tostring(var.lemonsqueezy_allow_test)
    # SendGrid's Event Webhook (bounces, drops): off while empty.
    SENDGRID_EVENT_PUBLIC_KEY = var.sendgrid_event_public_key
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
    PADDLE_API_URL       = var.paddle_api_url
    MAIL_BACKEND         = var.mail_backend
    # Read only with MAIL_BACKEND=smtp; the password is the smtp-password secret.
    SMTP_HOST     = var.smtp_host
    SMTP_PORT     = tostring(var.smtp_port)
    SMTP_USERNAME = var.smtp_username
    SMTP_SECURITY = var.smtp_security
  })

  # The author's dashboard reads and acts as the console does; IAP signs who is asking
  # (dashboard/auth), for this service's audience.
  dashboard_env = merge(local.common_env, {
    APP            = "dashboard"
    DASHBOARD_AUTH = "iap"
    IAP_AUDIENCE   = local.dashboard_iap_audience
  })

  # Service (key) => how it differs. Every entry carries the same attributes,
  # so each.value.X exists for any.
  runs = {
    service = {
      name        = local.service_name
      description = "exlibris public edge: Paddle webhooks, durable download links, links and verify pages."
      # Paddle and buyers reach it from the internet.
      ingress         = "INGRESS_TRAFFIC_ALL"
      service_account = google_service_account.service.email
      timeout         = "60s"
      # gunicorn serves 8 requests at once (Dockerfile); Cloud Run sends no more.
      concurrency   = 8
      max_instances = var.service_max_instances
      cpu           = "1"
      memory        = "512Mi"
      env           = local.service_env
      secrets       = local.service_secrets
      iap           = false
    }
    worker = {
      name        = local.worker_name
      description = "exlibris worker: Pub/Sub push endpoint that stamps copies and mails buyers."
      # Pub/Sub push from this project counts as internal traffic; nothing else
      # needs to reach the worker.
      ingress         = "INGRESS_TRAFFIC_INTERNAL_ONLY"
      service_account = google_service_account.worker.email
      # As long as Pub/Sub waits for an answer (pubsub.tf), so a slow stamping
      # is not redelivered while it still runs.
      timeout = "${var.ack_deadline_seconds}s"
      # 4 gunicorn threads (gunicorn.conf.py) and 4 requests per instance, so
      # Cloud Run adds instances instead of queueing. Measured by bench/burst.py
      # (bench/README.md, "Burst"): one worker process uses at most one core,
      # so 1 vCPU (a second one idled); a copy mostly waits on storage, so 4
      # threads mail about twice what 2 did; each copy in flight holds about
      # twice the book, so 4 GiB (the most 1 vCPU allows) keeps 4 copies of a
      # 300 MB book and its plan in memory. Per order, 1 vCPU + 4 GiB at twice
      # the rate costs about a third of 2 vCPU + 2 GiB at 2 threads.
      concurrency   = 4
      max_instances = var.worker_max_instances
      cpu           = "1"
      memory        = "4Gi"
      env           = local.worker_env
      secrets       = local.worker_secrets
      iap           = false
    }
    dashboard = {
      name        = local.dashboard_name
      description = "exlibris author's dashboard: orders, fixes, new editions and leak tracing, behind IAP."
      # IAP on Cloud Run guards every ingress path, run.app included
      # (https://cloud.google.com/run/docs/securing/identity-aware-proxy-cloud-run).
      ingress         = "INGRESS_TRAFFIC_ALL"
      service_account = google_service_account.dashboard.email
      # A trace of an upload (up to 32 MiB) with OCR of 40 pages takes a while.
      timeout = "300s"
      # 4 gunicorn threads (gunicorn.conf.py): a few people at a time.
      concurrency   = 4
      max_instances = 2
      cpu           = "1"
      # An upload, its parsed pages and OCR's page images in memory at once.
      memory  = "2Gi"
      env     = local.dashboard_env
      secrets = local.dashboard_secrets
      iap     = true
    }
  }
}

resource "google_cloud_run_v2_service" "app" {
  for_each = local.runs

  name                = each.value.name
  location            = var.region
  description         = each.value.description
  ingress             = each.value.ingress
  deletion_protection = false # stateless; the buckets hold what matters and refuse to be destroyed non-empty
  # IAP directly on the service, no load balancer: iap_enabled, which the provider sets
  # at launch stage BETA (registry.terraform.io/providers/hashicorp/google/latest/docs/
  # resources/cloud_run_v2_service, "cloudrunv2_service_iap";
  # https://cloud.google.com/run/docs/securing/identity-aware-proxy-cloud-run).
  iap_enabled  = each.value.iap
  launch_stage = each.value.iap ? "BETA" : null

  template {
    service_account                  = each.value.service_account
    timeout                          = each.value.timeout
    max_instance_request_concurrency = each.value.concurrency

    scaling {
      min_instance_count = 0
      max_instance_count = each.value.max_instances
    }

    containers {
      image = var.image

      resources {
        limits = {
          cpu    = each.value.cpu
          memory = each.value.memory
        }
        cpu_idle          = true
        startup_cpu_boost = true
      }

      # An empty value is left out: the app's default applies.
      dynamic "env" {
        for_each = { for k, v in each.value.env : k => v if v != "" }
        content {
          name  = env.key
          value = env.value
        }
      }

      # Each service reads only its own secrets (secrets.tf).
      dynamic "env" {
        for_each = each.value.secrets
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

  # Template labels are `exlibris catalog push`'s: it rolls a revision onto a new catalog by
  # labelling it (console/catalog.py), and an apply must not roll it back.
  lifecycle {
    ignore_changes = [client, client_version, template[0].containers[0].image, template[0].labels]
  }

  # Cloud Run checks at deploy time that the account can read its secrets.
  depends_on = [google_secret_manager_secret_iam_member.readers, google_project_service.apis]
}

# The services were two resources before; an existing deployment keeps them.
moved {
  from = google_cloud_run_v2_service.service
  to   = google_cloud_run_v2_service.app["service"]
}

moved {
  from = google_cloud_run_v2_service.worker
  to   = google_cloud_run_v2_service.app["worker"]
}
