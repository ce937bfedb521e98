# Secret Manager holds every secret; Terraform creates the secrets and who may
# read them, never their values (they would land in the state). The author
# adds each value with `gcloud secrets versions add` (docs/deploy.md), and
# Cloud Run reads the latest version into an environment variable (run.tf).

locals {
  # Secret (id suffix) => the variable it becomes and the runtime accounts that
  # read it. Each account reads only what it uses: the service verifies
  # webhooks and link tokens, the worker mints tokens, looks up customers and
  # mails.
  secret_catalog = {
    # The dashboard checks codes in found copies and keys its forms' CSRF tokens with it.
    stamp-secret = {
      env     = "STAMP_SECRET"
      readers = ["service", "worker", "dashboard"]
      enabled = true
    }
    # The worker's mail: SendGrid's API key, or an SMTP relay's password (var.mail_backend).
    sendgrid-api-key = {
      env     = "SENDGRID_API_KEY"
      readers = ["worker"]
      enabled = var.mail_backend == "sendgrid"
    }
    smtp-password = {
      env     = "SMTP_PASSWORD"
      readers = ["worker"]
      enabled = var.mail_backend == "smtp"
    }
    paddle-webhook-secret = {
      env     = "PADDLE_WEBHOOK_SECRET"
      readers = ["service"]
      enabled = local.billing
    }
    paddle-api-key = {
      env     = "PADDLE_API_KEY"
      readers = ["worker"]
      enabled = local.billing
    }
    # The other storefronts (common/merchants): one webhook secret each, read by the
    # service that verifies it; Stripe's API key lets the worker list line items.
    stripe-webhook-secret = {
      env     = "STRIPE_WEBHOOK_SECRET"
      readers = ["service"]
      enabled = contains(var.merchants, "stripe")
    }
    stripe-api-key = {
      env     = "STRIPE_API_KEY"
      readers = ["worker"]
      enabled = contains(var.merchants, "stripe")
    }
    lemonsqueezy-webhook-secret = {
      env     = "LEMONSQUEEZY_WEBHOOK_SECRET"
      readers = ["service"]
      enabled = contains(var.merchants, "lemonsqueezy")
    }
    shopify-webhook-secret = {
      env     = "SHOPIFY_WEBHOOK_SECRET"
      readers = ["service"]
      enabled = contains(var.merchants, "shopify")
    }
    woocommerce-webhook-secret = {
      env     = "WOOCOMMERCE_WEBHOOK_SECRET"
      readers = ["service"]
      enabled = contains(var.merchants, "woocommerce")
    }
  }

  secrets = { for id, s in local.secret_catalog : id => s if s.enabled }

  # "secret/reader" => one accessor grant.
  secret_grants = merge([
    for id, s in local.secrets : { for r in s.readers : "${id}/${r}" => { secret = id, reader = r } }
  ]...)

  service_secrets = { for id, s in local.secrets : id => s if contains(s.readers, "service") }
  worker_secrets  = { for id, s in local.secrets : id => s if contains(s.readers, "worker") }
  dashboard_secrets = {
    for id, s in local.secrets : id => s if contains(s.readers, "dashboard")
  }
}

resource "google_secret_manager_secret" "secrets" {
  for_each = local.secrets

  secret_id = "${var.name}-${each.key}"

  replication {
    auto {}
  }

  depends_on = [google_project_service.apis]
}

resource "google_secret_manager_secret_iam_member" "readers" {
  for_each = local.secret_grants

  secret_id = google_secret_manager_secret.secrets[each.value.secret].id
  role      = "roles/secretmanager.secretAccessor"
  member    = local.runtime_members[each.value.reader]
}
