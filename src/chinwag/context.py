"""The shared resources of a running app, created in its lifespan and handed to services."""

from __future__ import annotations

from dataclasses import dataclass, field

from chinwag.accounts.security import PasswordHasher
from chinwag.config import Settings
from chinwag.db.database import Database
from chinwag.limits import Buckets, MailLimiter, SendLimiter
from chinwag.mail import MailQueue
from chinwag.notifications.notifier import Notifier
from chinwag.realtime.broker import Broker
from chinwag.realtime.hub import Hub
from chinwag.realtime.presence import Presence
from chinwag.scheduler import Scheduler
from chinwag.sso.provider import OidcProvider


@dataclass
class AppContext:
    settings: Settings
    db: Database
    broker: Broker
    presence: Presence
    mail: MailQueue
    hasher: PasswordHasher
    hub: Hub
    limiter: SendLimiter
    notifier: Notifier
    # Per client address, on the endpoints that hash or mail; None: CHINWAG_HTTP_RATE_LIMITS=off.
    auth_buckets: Buckets | None = None
    # Verification mails asked for, per account and per client address.
    mail_limiter: MailLimiter = field(default_factory=lambda: MailLimiter(6))
    # The periodic jobs of this process (the retention sweep); started by the lifespan.
    scheduler: Scheduler | None = None
    # The OpenID provider of single sign-on (CHINWAG_OIDC_*); None when it isn't set up.
    oidc: OidcProvider | None = None
