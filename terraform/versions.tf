# Bounded versions: a new major of Terraform or of the Google provider is
# adopted on purpose, not by the next `terraform init`.
terraform {
  # 1.9 for validations that refer to other variables.
  required_version = ">= 1.9, < 2.0"

  required_providers {
    google = {
      source  = "hashicorp/google"
      version = ">= 6.0, < 7.0"
    }
  }

  # State lives in a versioned bucket of the author's own, named at init time
  # (a partial configuration: `terraform init -backend-config=backend.hcl`,
  # see backend.hcl.example and docs/deploy.md), so the repository names no
  # project. The bucket is made by hand before the first init: Terraform
  # cannot keep its own state in a bucket it has yet to create.
  backend "gcs" {}
}
