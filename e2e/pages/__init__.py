"""One page object per console screen, located by role and by the article's labels."""

from e2e.pages.account_information import AccountInformationPage
from e2e.pages.base import ConsolePage
from e2e.pages.code_challenge import CodeChallengePage, NewRecoveryCodePage, RecoveryCodePage
from e2e.pages.confirmation import DisabledPage, EnabledPage
from e2e.pages.home import HomePage
from e2e.pages.reauth import ReauthPage
from e2e.pages.security_settings import SecuritySettingsPage
from e2e.pages.setup import SetupPage
from e2e.pages.signin import SignInPage
from e2e.pages.status import TwoStepStatusPage
from e2e.pages.turn_off import TurnOffPage
from e2e.pages.turn_on import TurnOnPage

__all__ = [
    "AccountInformationPage", "CodeChallengePage", "ConsolePage", "DisabledPage", "EnabledPage",
    "HomePage", "NewRecoveryCodePage", "ReauthPage", "RecoveryCodePage", "SecuritySettingsPage",
    "SetupPage", "SignInPage", "TurnOffPage", "TurnOnPage", "TwoStepStatusPage",
]
