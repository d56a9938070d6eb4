"""The school leader: the weekly digest, questions from teams, visits, and privacy (export,
deletion, retention)."""

from __future__ import annotations

from bot.core.capability import Capability, PlanRun
from handlers.common.forms import FORMS_HOOK, forms_in
from handlers.leader import digest, leader, privacy, resend


async def plan(run: PlanRun) -> None:
    """Digests that fall due, and the retention period applied."""
    await leader.queue_digests(run.session, run.now)
    await privacy.apply_retention(run.session, run.now)


LEADER = Capability.collect(
    "leader", (digest, leader, privacy, resend),
    renderers={"digest": leader.render_digest},
    planners=(plan,),
    due_moments=(leader.digest_moments,),
    hooks={FORMS_HOOK: forms_in(leader)},
)
