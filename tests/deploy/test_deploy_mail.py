"""make deploy makes the one mail secret terraform/secrets.tf makes: SendGrid's key or SMTP's."""

from __future__ import annotations

from pathlib import Path

import pytest

from deploy._inputs import read_inputs

TFVARS = 'project_id = "my-shop-123456"\nmail_from = "books@mybooks.test"\n'


@pytest.mark.parametrize(
    ("line", "made", "not_made"),
    [
        ("", "sendgrid-api-key", "smtp-password"),
        ('mail_backend = "smtp"\n', "smtp-password", "sendgrid-api-key"),
    ],
)
def test_the_mail_secret_follows_mail_backend(
    tmp_path: Path, line: str, made: str, not_made: str
) -> None:
    tfvars = tmp_path / "terraform.tfvars"
    tfvars.write_text(TFVARS + line)
    suffixes = {s.suffix for s in read_inputs({"TFVARS": str(tfvars)}).secrets()}
    assert made in suffixes and not_made not in suffixes
