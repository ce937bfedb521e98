"""A product under an imprint, bought on the real stack: the mail comes from the imprint.

gunicorn serves both apps; Paddle Classic's signed fulfilment webhook goes to the
service, the worker stamps and mails through the outbox. The mail's From is the
imprint's name and address, not SHOP_NAME and MAIL_FROM.
"""

from __future__ import annotations

from tests.e2e.conftest import LiveStack
from tests.e2e.test_purchase import post_classic, wait_for_mails
from tests.support.imprints import SENDER, SUPPORT
from tests.support.paddle_payloads import classic_fulfilment
from worker.mail._outbox import plain_text, read_mail


def test_a_product_under_an_imprint_is_mailed_from_the_imprints_name_and_address(
    imprinted: LiveStack,
) -> None:
    fields = classic_fulfilment(order_id="9202-1", email="ada@example.com")
    assert post_classic(imprinted, fields).status_code == 200
    [path] = wait_for_mails(imprinted, 1)
    mail = read_mail(path)
    assert mail["From"] == f"{SENDER[0]} <{SENDER[1]}>"
    assert mail["To"].addresses[0].addr_spec == "ada@example.com"
    assert f"Write to {SUPPORT}." in plain_text(mail)
