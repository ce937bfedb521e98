"""`make deploy`: the deployment of docs/deploy.md as one idempotent command (dev-side only).

Reads terraform/terraform.tfvars and the environment, checks what is missing,
then drives gcloud, terraform, git and the exlibris console in the order that
works. Never in the image (.dockerignore) and imported by no app.
"""

from deploy._main import main

__all__ = ["main"]
