"""The app's screens, by name, in the order the ScreenManager gets them."""

from mobile.system import load_kv

for _name in ("login", "home", "capture", "result", "live", "plans", "progress", "profile", "settings", "training"):
    load_kv(_name)

from mobile.screens.capture import CaptureScreen  # noqa: E402
from mobile.screens.home import HomeScreen  # noqa: E402
from mobile.screens.live import LiveScreen  # noqa: E402
from mobile.screens.login import LoginScreen  # noqa: E402
from mobile.screens.plans import DayScreen, PlanScreen, PlansScreen  # noqa: E402
from mobile.screens.profile import ProfileScreen  # noqa: E402
from mobile.screens.progress import ProgressScreen  # noqa: E402
from mobile.screens.result import ResultScreen  # noqa: E402
from mobile.screens.settings import SettingsScreen  # noqa: E402
from mobile.screens.training import TrainingScreen  # noqa: E402

SCREEN_CLASSES = {
    "login": LoginScreen,
    "home": HomeScreen,
    "capture": CaptureScreen,
    "result": ResultScreen,
    "live": LiveScreen,
    "plans": PlansScreen,
    "plan": PlanScreen,
    "day": DayScreen,
    "progress": ProgressScreen,
    "profile": ProfileScreen,
    "settings": SettingsScreen,
    "training": TrainingScreen,
}
