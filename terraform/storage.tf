# Where files live: originals (and catalog.toml), stamped copies with their
# order records, build sources and logs, and the container images. Every bucket
# has uniform access (IAM only, no object ACLs) and public access prevention
# enforced: buyers download through V4 signed URLs, never public objects.

resource "google_storage_bucket" "originals" {
  #checkov:skip=CKV_GCP_62: access logs would go to yet another bucket; Cloud Audit Logs cover who read what
  name                        = local.source_bucket
  location                    = var.region
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  force_destroy               = false

  # An overwritten or deleted original can be restored.
  versioning {
    enabled = true
  }

  # Keep the three latest replaced editions of each original.
  lifecycle_rule {
    condition {
      num_newer_versions = 3
      with_state         = "ARCHIVED"
    }
    action {
      type = "Delete"
    }
  }

  depends_on = [google_project_service.apis]
}

resource "google_storage_bucket" "deliveries" {
  #checkov:skip=CKV_GCP_62: access logs would go to yet another bucket; Cloud Audit Logs cover who read what
  #checkov:skip=CKV_GCP_78: copies are re-made from the originals; order records change on every download and are guarded by generation preconditions, not versions
  name                        = local.delivery_bucket
  location                    = var.region
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  force_destroy               = false

  # Stamped copies expire after their links have (stamped_copy_days >=
  # link_ttl_days); order records (orders/) and dead letters stay.
  lifecycle_rule {
    condition {
      age            = var.stamped_copy_days
      matches_prefix = ["copies/"]
    }
    action {
      type = "Delete"
    }
  }

  depends_on = [google_project_service.apis]
}

resource "google_storage_bucket" "builds" {
  #checkov:skip=CKV_GCP_62: holds only build sources and build logs, which are themselves logs
  #checkov:skip=CKV_GCP_78: build sources and logs are disposable; the commit is the record
  name                        = local.build_bucket
  location                    = var.region
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  force_destroy               = true

  lifecycle_rule {
    condition {
      age = 30
    }
    action {
      type = "Delete"
    }
  }

  depends_on = [google_project_service.apis]
}

resource "google_artifact_registry_repository" "images" {
  #checkov:skip=CKV_GCP_84: Google-managed encryption is enough for an image built from a public recipe; a KMS key costs more than the whole deployment
  repository_id = var.name
  location      = var.region
  format        = "DOCKER"
  description   = "exlibris images, one per commit, tagged with the commit SHA."

  # Keep the ten newest images (rollback targets), delete the rest after a week.
  cleanup_policy_dry_run = false
  cleanup_policies {
    id     = "keep-recent"
    action = "KEEP"
    most_recent_versions {
      keep_count = 10
    }
  }
  cleanup_policies {
    id     = "delete-old"
    action = "DELETE"
    condition {
      older_than = "604800s"
    }
  }

  depends_on = [google_project_service.apis]
}
