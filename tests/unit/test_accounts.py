"""Password and email rules, without the app."""

import pytest

from api.exceptions import InvalidInput
from api.services.accounts import normalise_email, password_problems


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


def test_credentials_that_are_not_text_are_refused_by_the_service(app):
    from api.services.accounts import authenticate, register_user

    with app.app_context():
        with pytest.raises(InvalidInput) as caught:
            register_user({"a": 1}, "correct-horse-42", 7)
        assert caught.value.details == {"email": "must be text", "name": "must be text"}
        register_user("ada@example.com", "correct-horse-42", "Ada")
        assert authenticate("ada@example.com", ["correct-horse-42"]) is None
        assert authenticate(["ada@example.com"], "correct-horse-42") is None
        assert authenticate("ada@example.com", "correct-horse-42").email == "ada@example.com"
