"""What the bot does: platform-neutral handlers, one module per capability.

Importing this package registers every command with :mod:`bot.core.commands`.
"""

from handlers.cycle import answers
from handlers.cycle import commands as cycle
from handlers.common import forms
from handlers.school import help
from handlers.school import language
from handlers.cycle import records
from handlers.school import schools as school
from handlers.school import teams
from handlers.school import resume
from handlers.school import home
from handlers.meetings import agenda
from handlers.meetings import reminders as meeting_outbox
from handlers.meetings import commands as meetings
from handlers.meetings import momentum
from handlers.leader import digest
from handlers.leader import leader
from handlers.leader import privacy
from handlers.polls import clock as poll_clock
from handlers.polls import commands as polls
from handlers.polls import stille_wand

poll_clock.install()
