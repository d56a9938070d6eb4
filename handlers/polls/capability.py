"""Reflection polls, the five-dimension scan and the stille wand."""

from __future__ import annotations

from bot.core.capability import Capability, PlanRun
from handlers.common.undo import UNDO_HOOK, Undoable
from handlers.polls import answering, clock, results, settings, starting, stille_wand
from handlers.polls.aggregates import digest_reflection
from handlers.polls.small_teams import render_skipped
from storage.models import BrainstormIdea, BrainstormReaction, PollVote


async def plan(run: PlanRun) -> None:
    await clock.plan(run.session, run.now)


POLLS = Capability.collect(
    "polls", (answering, results, starting, settings, stille_wand),
    renderers={"poll_open": clock.render_open, "poll_remind": clock.render_remind,
               "poll_close": clock.render_close, "wall_reveal": stille_wand.render_reveal,
               "poll_skipped": render_skipped},
    planners=(plan,),
    due_moments=(clock.due_moments,),
    hooks={"digest.reflection": (digest_reflection,),  # the leader's digest shows the aggregates
           UNDO_HOOK: (Undoable(PollVote, "voter_id", "updated_at", "conv.what.vote"),  # anonymous: no echo
                       Undoable(BrainstormIdea, "author_id", "created_at", "conv.what.idea", "text",
                                dependents=((BrainstormReaction, "idea_id"),)))},
)
