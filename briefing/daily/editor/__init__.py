"""The day's editor: which articles tell one story, how important each story is, how it is told.

``stories`` groups the day's articles into stories by what independent coverage of one event
shares; ``rank`` orders them as an editor would; ``tell`` makes one telling of a story from all its
sources; ``bulletin`` shapes the day into top stories and items in brief within the time. Reading
the sources is ``briefing.daily.sources``; scripting, rendering and publishing are ``briefing.daily.run``.
"""
