"""Imports every feature's models so that Alembic and the tests see the whole schema."""

from planner.accounts.models import ApiToken, Role, User
from planner.approval import models as _approval_models  # noqa: F401
from planner.audit.models import AuditEvent
from planner.blog import models as _blog_models  # noqa: F401
from planner.brand import models as _brand_models  # noqa: F401
from planner.db import Base
from planner.effect import models as _effect_models  # noqa: F401
from planner.fragments import models as _fragments_models  # noqa: F401
from planner.inbox import models as _inbox_models  # noqa: F401
from planner.jobs.models import SchedulerHeartbeat
from planner.live import models as _live_models  # noqa: F401
from planner.notifications import models as _notifications_models  # noqa: F401
from planner.organisation.models import Organisation
from planner.publishing import models as _publishing_models  # noqa: F401
from planner.scheduling import models as _scheduling_models  # noqa: F401
from planner.stories import models as _stories_models  # noqa: F401

__all__ = ["ApiToken", "AuditEvent", "Base", "Organisation", "Role", "SchedulerHeartbeat", "User"]
