"""The daily briefing: sources, the day's editor (stories, ranking, the bulletin), the run, the fleet
on Dask and the schedule.
"""
