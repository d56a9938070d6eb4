"""The inquiry cycle: focus, the four phases with their guiding questions and records, the exit
criteria, rounds, and the quality card."""

from __future__ import annotations

from bot.core.capability import Capability
from handlers.common import forms
from handlers.common.undo import UNDO_HOOK, Undoable
from handlers.cycle import (  # issue 16 part 5: the team's charter; card themes
    answers,
    charter,
    commands,
    evaluation,
    intervention,
    library,
    library_tags,
    moment_messages,
    parked,
    records,
    review,
    running,
    tips,
    verdict,
)
from handlers.school.home import HOME_RUNNING_HOOK
from storage.models import Action, Answer, DirectionRecord, Hypothesis, PlanRecord, ProblemRecord, Source

CYCLE = Capability.collect(
    "cycle",
    (answers, commands, records, intervention, evaluation, verdict, parked, library, review, tips, forms,
     charter, library_tags),
    hooks={forms.FORMS_HOOK: forms.forms_in(records, intervention, evaluation),
           HOME_RUNNING_HOOK: (running.home_running,),
           UNDO_HOOK: (Undoable(Answer, "member_id", "updated_at", "conv.what.answer", "text"),
                       Undoable(Hypothesis, "added_by", "added_at", "conv.what.hypothesis", "text"),
                       Undoable(Source, "added_by", "added_at", "conv.what.source", "title"),
                       Undoable(Action, "added_by", "added_at", "conv.what.action", "description"),
                       # records someone edits: /ongedaan brings the version before the edit back
                       Undoable(ProblemRecord, "updated_by", "updated_at", "talk.what.problem", "statement"),
                       Undoable(DirectionRecord, "updated_by", "updated_at", "talk.what.direction", "text"),
                       Undoable(PlanRecord, "updated_by", "updated_at", "talk.what.plan", "goal_text"))},
    renderers={"moment_before": moment_messages.render_before, "moment_after": moment_messages.render_after,
               "review_ask": review.render_review_ask},
    planners=(moment_messages.plan, review.plan),
    due_moments=(running.moment_due_times, review.review_due_times),
)
