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
}
