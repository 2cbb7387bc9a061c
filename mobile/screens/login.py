"""Sign in, or create an account and sign in."""

from __future__ import annotations

from kivy.properties import BooleanProperty

from mobile.screens.base import BaseScreen


class LoginScreen(BaseScreen):
    title_text = "FitCoach"
    register_mode = BooleanProperty(False)

    def show(self, **kwargs) -> None:
        self.ids.password.text = ""

    def submit(self) -> None:
        email, password = self.ids.email.text.strip(), self.ids.password.text
        name = self.ids.name.text.strip()
        if not email or not password or (self.register_mode and not name):
            self.error = "Fill in " + ("your name, " if self.register_mode else "") + "email and password."
            return
        self.error = ""
        client = self.app.client
        if self.register_mode:

            def register_then_login():
                client.register(email, password, name)
                return client.login(email, password)

            self.app.call(register_then_login, on_ok=self.app.signed_in, on_error=self.fail, context="register")
        else:
            self.app.call(client.login, email, password, on_ok=self.app.signed_in, on_error=self.fail, context="login")
