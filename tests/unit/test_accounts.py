"""Password and email rules, without the app."""

import pytest

from api.accounts import normalise_email, password_problems
from api.exceptions import InvalidInput


def test_emails_are_trimmed_and_lower_cased():
    assert normalise_email("  Ada.Lovelace@Example.ORG ") == "ada.lovelace@example.org"


@pytest.mark.parametrize("email", ["", "plain", "@example.com", "a@b.c", "a b@example.com"])
def test_malformed_emails_are_refused(email):
    with pytest.raises(InvalidInput):
        normalise_email(email)


def test_good_passwords_pass():
    assert password_problems("correct-horse-42") == []
    assert password_problems("a long passphrase without digits") == []


def test_password_containing_the_email_name_is_refused():
    assert password_problems("margaret-2024!", "margaret@example.com")
