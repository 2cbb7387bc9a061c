"""The app's copy of the profile vocabulary is the API's."""

import api.vocabulary as server
import mobile.vocabulary as app


def test_the_app_offers_exactly_the_profile_values_the_api_accepts():
    for name in ("SEXES", "FITNESS_LEVELS", "GOALS", "EQUIPMENT", "BODY_REGIONS"):
        assert getattr(app, name) == getattr(server, name), name
