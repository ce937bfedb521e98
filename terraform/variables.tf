# Inputs. Every variable is typed, described and validated; the defaults suit
# a first deployment. Secrets are not inputs: their values go straight into
# Secret Manager (docs/deploy.md), never into Terraform state.

variable "project_id" {
  type        = string
  description = "Google Cloud project id that hosts everything."

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{4,28}[a-z0-9]$", var.project_id))
    error_message = "project_id must be a Google Cloud project id: 6-30 lowercase letters, digits or hyphens."
  }
}

variable "region" {
  type        = string
  description = "Region of the Cloud Run services, buckets and image repository. A US region keeps storage within Cloud Storage's free tier."
  default     = "us-central1"

  validation {
    condition     = can(regex("^[a-z]+-[a-z]+[0-9]+$", var.region))
    error_message = "region must look like us-central1 or europe-west1."
  }
}

variable "name" {
  type        = string
  description = "Prefix of every resource name; the public service is called this, the worker NAME-worker."
  default     = "exlibris"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,18}[a-z0-9]$", var.name))
    error_message = "name must be 3-20 lowercase letters, digits or hyphens, starting with a letter."
  }
}

variable "image" {
  type        = string
  description = "Image of the first revision only. Cloud Build deploys every later one (Terraform ignores image changes), so the default is Google's placeholder."
  default     = "us-docker.pkg.dev/cloudrun/container/hello"

  validation {
    condition     = can(regex("^[a-z0-9.-]+(:[0-9]+)?/[^\\s]+$", var.image))
    error_message = "image must be a registry path such as REGION-docker.pkg.dev/PROJECT/REPO/IMAGE:TAG."
  }
}

variable "public_url" {
  type        = string
  description = "Base URL buyers see in mailed links, when a custom domain fronts the service; empty means the service's run.app URL."
  default     = ""

  validation {
    condition     = var.public_url == "" || can(regex("^https://[^\\s/]+/?$", var.public_url))
    error_message = "public_url must be empty or https://HOST."
  }
}

variable "source_bucket" {
  type        = string
  description = "Bucket of the originals (and catalog.toml); empty means PROJECT-NAME-originals."
  default     = ""

  validation {
    condition     = var.source_bucket == "" || can(regex("^[a-z0-9][a-z0-9_-]{1,61}[a-z0-9]$", var.source_bucket))
    error_message = "source_bucket must be empty or a valid bucket name (3-63 lowercase letters, digits, - or _)."
  }
}

variable "delivery_bucket" {
  type        = string
  description = "Bucket of stamped copies and order records; empty means PROJECT-NAME-deliveries."
  default     = ""

  validation {
    condition     = var.delivery_bucket == "" || can(regex("^[a-z0-9][a-z0-9_-]{1,61}[a-z0-9]$", var.delivery_bucket))
    error_message = "delivery_bucket must be empty or a valid bucket name (3-63 lowercase letters, digits, - or _)."
  }
}

variable "catalog" {
  type        = string
  description = "CATALOG for both services: a gs:// URI or a path baked into the image; empty means gs://SOURCE_BUCKET/catalog.toml."
  default     = ""

  validation {
    condition     = var.catalog == "" || can(regex("^(gs://[a-z0-9][a-z0-9._-]+/.+|[^/:][^:]*)\\.toml$", var.catalog))
    error_message = "catalog must be empty, gs://BUCKET/OBJECT.toml or a relative path ending in .toml."
  }
}

variable "merchants" {
  type        = set(string)
  description = "The storefronts this shop sells through. Each one turned on gets its webhook secret in Secret Manager (and Stripe an API key for line items); the others stay off, their /webhooks/<name> a 404."
  default     = ["paddle"]

  validation {
    condition     = length(var.merchants) > 0 && alltrue([for m in var.merchants : contains(["paddle", "stripe", "lemonsqueezy", "shopify", "woocommerce"], m)])
    error_message = "merchants must hold one or more of paddle, stripe, lemonsqueezy, shopify, woocommerce."
  }
}

variable "lemonsqueezy_allow_test" {
  type        = bool
  description = "Deliver Lemon Squeezy orders made in test mode (true while you try the shop; false once live, so a test purchase mails nothing)."
  default     = true

  validation {
    condition     = var.lemonsqueezy_allow_test != null
    error_message = "lemonsqueezy_allow_test must be true or false."
  }
}

variable "paddle_editions" {
  type        = set(string)
  description = "Which Paddle sends the webhooks: billing (notification secret, API key for customer lookups), classic (public key), or both during a migration."
  default     = ["billing"]

  validation {
    condition     = length(var.paddle_editions) > 0 && alltrue([for e in var.paddle_editions : contains(["billing", "classic"], e)])
    error_message = "paddle_editions must hold billing, classic or both."
  }
}

variable "paddle_public_key" {
  type        = string
  description = "Paddle Classic public key (PEM), from Developer Tools > Public Key. Public by nature, so a plain variable; required for classic."
  default     = ""

  validation {
    condition     = !contains(var.paddle_editions, "classic") || can(regex("-----BEGIN PUBLIC KEY-----", var.paddle_public_key))
    error_message = "paddle_public_key must be the PEM public key when paddle_editions includes classic."
  }
}

variable "paddle_api_url" {
  type        = string
  description = "Paddle Billing API the worker asks for customer details: live or sandbox."
  default     = "https://api.paddle.com"

  validation {
    condition     = contains(["https://api.paddle.com", "https://sandbox-api.paddle.com"], var.paddle_api_url)
    error_message = "paddle_api_url must be https://api.paddle.com or https://sandbox-api.paddle.com."
  }
}

variable "shop_name" {
  type        = string
  description = "Shop name shown in mails and pages."

  validation {
    condition     = length(trimspace(var.shop_name)) > 0 && length(var.shop_name) <= 100
    error_message = "shop_name must be 1-100 characters."
  }
}

variable "shop_language" {
  type        = string
  description = "The buyer's language when neither the store nor the browser names one: en, de, fr, es, it, pt, nl or ar."
  default     = "en"

  validation {
    condition     = contains(["en", "de", "fr", "es", "it", "pt", "nl", "ar"], var.shop_language)
    error_message = "shop_language must be one of en, de, fr, es, it, pt, nl, ar."
  }
}

variable "mail_from" {
  type        = string
  description = "Sender of delivery mails, `Name <address>` or a bare address; a SendGrid verified sender or an address on an authenticated domain."

  validation {
    condition     = can(regex("^([^<>@]*<[^@\\s<>]+@[^@\\s<>]+\\.[^@\\s<>]+>|[^@\\s<>]+@[^@\\s<>]+\\.[^@\\s<>]+)$", var.mail_from))
    error_message = "mail_from must be an email address, or a name and one: Held Out Press <books@example.com>."
  }
}

variable "mail_domains" {
  type        = list(string)
  description = "Sender domains the mail provider has authenticated; each catalog imprint's mail_from must be on one. Empty: mail_from's domain alone."
  default     = []

  validation {
    condition     = alltrue([for d in var.mail_domains : can(regex("^([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\\.)+[a-zA-Z]{2,63}$", d))])
    error_message = "mail_domains must hold domain names, like mybooks.example."
  }
}

variable "support_email" {
  type        = string
  description = "Address buyers are told to write to; empty leaves it out of mails and pages."
  default     = ""

  validation {
    condition     = var.support_email == "" || can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", var.support_email))
    error_message = "support_email must be empty or an email address."
  }
}

variable "mail_backend" {
  type        = string
  description = "How the worker sends mail: sendgrid (its API key is a secret) or smtp (any provider's relay: SES, Postmark, Mailgun, Brevo; its password is a secret)."
  default     = "sendgrid"

  validation {
    condition     = contains(["sendgrid", "smtp"], var.mail_backend)
    error_message = "mail_backend must be sendgrid or smtp."
  }
}

variable "smtp_host" {
  type        = string
  description = "The SMTP relay's host name when mail_backend is smtp (email-smtp.us-east-1.amazonaws.com, smtp-relay.brevo.com)."
  default     = ""

  validation {
    condition     = var.smtp_host == "" || can(regex("^[A-Za-z0-9.-]+$", var.smtp_host))
    error_message = "smtp_host must be empty or a host name."
  }
}

variable "smtp_port" {
  type        = number
  description = "The SMTP relay's port: 587 with STARTTLS, 465 with implicit TLS."
  default     = 587

  validation {
    condition     = var.smtp_port == floor(var.smtp_port) && var.smtp_port >= 1 && var.smtp_port <= 65535
    error_message = "smtp_port must be a TCP port (1 to 65535)."
  }
}

variable "smtp_username" {
  type        = string
  description = "The SMTP relay's user name (SES: the SMTP credentials' user, not an access key id of yours); its password is the smtp-password secret."
  default     = ""

  validation {
    condition     = length(var.smtp_username) <= 256
    error_message = "smtp_username must be at most 256 characters."
  }
}

variable "smtp_security" {
  type        = string
  description = "starttls (port 587) or tls (implicit, port 465); certificates are always verified. Plain SMTP is for a loopback relay only, so it is not offered here."
  default     = "starttls"

  validation {
    condition     = contains(["starttls", "tls"], var.smtp_security)
    error_message = "smtp_security must be starttls or tls."
  }
}

variable "sendgrid_event_public_key" {
  type        = string
  description = "SendGrid's Event Webhook verification key (Settings > Mail Settings > Event Webhook > Signed Event Webhook), base64 as SendGrid shows it; empty leaves POST /webhooks/sendgrid off. A public key, so not a secret."
  default     = ""

  validation {
    condition     = var.sendgrid_event_public_key == "" || can(regex("^[A-Za-z0-9+/]+={0,2}$", var.sendgrid_event_public_key))
    error_message = "sendgrid_event_public_key must be empty or base64 (the key as SendGrid shows it)."
  }
}

variable "alert_email" {
  type        = string
  description = "Address Cloud Monitoring mails when an alert fires (dead letters, 5xx ratio, failed mails); empty means no notification channel, the alerts only show in the console."
  default     = ""

  validation {
    condition     = var.alert_email == "" || can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", var.alert_email))
    error_message = "alert_email must be empty or an email address."
  }
}

variable "console_members" {
  type        = list(string)
  description = "Who runs the exlibris console against this shop (user:, group: or serviceAccount: principals), granted only what the console does: read the order records, archive replayed dead letters, read the originals' generations, publish to the orders topic, pull the dead-letter subscription and add versions of the webhook secret."
  default     = []

  validation {
    condition     = alltrue([for m in var.console_members : can(regex("^(user|group|serviceAccount):[^@\\s]+@[^@\\s]+$", m))])
    error_message = "console_members must be IAM principals such as user:me@example.com, group:authors@example.com or serviceAccount:ci@my-shop.iam.gserviceaccount.com."
  }
}

variable "dashboard_members" {
  type        = list(string)
  description = "Who may open the author's dashboard through Identity-Aware Proxy (user: or group: principals): granted roles/iap.httpsResourceAccessor on the dashboard service. Its own service account has the console's rights."
  default     = []

  validation {
    condition     = alltrue([for m in var.dashboard_members : can(regex("^(user|group):[^@\\s]+@[^@\\s]+$", m))])
    error_message = "dashboard_members must be people or groups, such as user:me@example.com or group:authors@example.com."
  }
}

variable "link_ttl_days" {
  type        = number
  description = "Lifetime of the durable download links in mails (LINK_TTL), in days."
  default     = 30

  validation {
    condition     = var.link_ttl_days == floor(var.link_ttl_days) && var.link_ttl_days >= 1 && var.link_ttl_days <= 3650
    error_message = "link_ttl_days must be a whole number of days between 1 and 3650."
  }
}

variable "download_limit" {
  type        = number
  description = "Downloads per file per order (DOWNLOAD_LIMIT); 0 means no limit."
  default     = 5

  validation {
    condition     = var.download_limit == floor(var.download_limit) && var.download_limit >= 0 && var.download_limit <= 1000
    error_message = "download_limit must be a whole number between 0 and 1000."
  }
}

variable "signed_url_ttl_seconds" {
  type        = number
  description = "Lifetime of the V4 signed URL a link click redirects to (SIGNED_URL_TTL)."
  default     = 600

  validation {
    # signBlob-signed URLs are only guaranteed for 12 hours.
    condition     = var.signed_url_ttl_seconds == floor(var.signed_url_ttl_seconds) && var.signed_url_ttl_seconds >= 60 && var.signed_url_ttl_seconds <= 43200
    error_message = "signed_url_ttl_seconds must be a whole number between 60 and 43200 (12 hours)."
  }
}

variable "stamped_copy_days" {
  type        = number
  description = "Days after which stamped copies (copies/ in the delivery bucket) are deleted; at least link_ttl_days, so no live link points at nothing."
  default     = 60

  validation {
    condition     = var.stamped_copy_days == floor(var.stamped_copy_days) && var.stamped_copy_days >= var.link_ttl_days && var.stamped_copy_days <= 3650
    error_message = "stamped_copy_days must be a whole number, at least link_ttl_days and at most 3650."
  }
}

variable "ack_deadline_seconds" {
  type        = number
  description = "Pub/Sub ack deadline of the push subscription, which is also the worker's request timeout: the longest a stamping may take."
  default     = 300

  validation {
    condition     = var.ack_deadline_seconds == floor(var.ack_deadline_seconds) && var.ack_deadline_seconds >= 10 && var.ack_deadline_seconds <= 600
    error_message = "ack_deadline_seconds must be a whole number between 10 and 600."
  }
}

variable "max_delivery_attempts" {
  type        = number
  description = "Deliveries of one message to the worker before Pub/Sub moves it to the dead-letter topic."
  default     = 10

  validation {
    # Pub/Sub allows 5 to 100. Below 7, the retries (10 s backoff, doubling) end within
    # the worker's 300 s mail claim (MAIL_CLAIM_SECONDS, worker/use_cases/_delivery.py), so an order
    # whose worker crashed mid-send could be dead-lettered before it may be mailed again.
    condition     = var.max_delivery_attempts == floor(var.max_delivery_attempts) && var.max_delivery_attempts >= 7 && var.max_delivery_attempts <= 100
    error_message = "max_delivery_attempts must be a whole number between 7 and 100 (see the comment)."
  }
}

variable "service_max_instances" {
  type        = number
  description = "Upper bound on instances of the public service (a cost ceiling under a flood of requests)."
  default     = 10

  validation {
    condition     = var.service_max_instances == floor(var.service_max_instances) && var.service_max_instances >= 1 && var.service_max_instances <= 100
    error_message = "service_max_instances must be a whole number between 1 and 100."
  }
}

variable "worker_max_instances" {
  type        = number
  description = "Upper bound on worker instances; Pub/Sub backs off while they are all busy."
  default     = 5

  validation {
    condition     = var.worker_max_instances == floor(var.worker_max_instances) && var.worker_max_instances >= 1 && var.worker_max_instances <= 100
    error_message = "worker_max_instances must be a whole number between 1 and 100."
  }
}

variable "cors_origins" {
  type        = list(string)
  description = "Origins allowed to call the service from a browser (CORS_ORIGINS), e.g. the author's site."
  default     = []

  validation {
    condition     = alltrue([for o in var.cors_origins : can(regex("^https?://[^\\s/]+$", o))])
    error_message = "cors_origins must be origins like https://example.com (no path, no trailing slash)."
  }
}

variable "log_level" {
  type        = string
  description = "LOG_LEVEL of both services."
  default     = "INFO"

  validation {
    condition     = contains(["DEBUG", "INFO", "WARNING", "ERROR"], var.log_level)
    error_message = "log_level must be DEBUG, INFO, WARNING or ERROR."
  }
}
