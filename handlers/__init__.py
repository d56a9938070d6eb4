"""What the bot does: platform-neutral handlers, one module per capability.

Importing this package registers every command with :mod:`bot.commands`.
"""

from handlers import answers, cycle, forms, help, language, records, school, teams  # noqa: F401
from handlers import resume  # noqa: F401  (asks a waiting question again)
from handlers import home  # noqa: F401  (the overview: Slack's App Home tab)
from handlers import agenda, meeting_outbox, meetings, momentum  # noqa: F401  (meetings, reminders, momentum)
from handlers import digest, leader, privacy  # noqa: F401  (the leader digest, questions, privacy)
from handlers import poll_clock, polls, stille_wand  # noqa: F401  (reflection polls, the scan, the stille wand)
from handlers import web  # noqa: F401  (/web: a login link to the web pages)

poll_clock.install()
