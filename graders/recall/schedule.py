"""When to rebuild a tutorial again: FSRS (the `fsrs` package, the scheduler Anki uses).

Each tutorial is one card; each rebuild that ended is one review of it, at the time it ended,
rated from what it took (`rating`). The card's due date after replaying every review in order
is when the next rebuild is due. Fuzzing is off and there are no same-day learning steps, so the
same history always gives the same date, in whole days.
"""

from datetime import timedelta

import fsrs

SCHEDULER = fsrs.Scheduler(enable_fuzzing=False, learning_steps=(), relearning_steps=())
# (Easy up to, Good up to): a rebuild past the second is Hard.
MINUTES = (20, 60)
CHECKS = (2, 6)
LEVEL = {"names": fsrs.Rating.Easy, "signatures": fsrs.Rating.Good,
         "contract": fsrs.Rating.Hard}


def grade(value, limits):
    easy, good = limits
    return fsrs.Rating.Easy if value <= easy else fsrs.Rating.Good if value <= good \
        else fsrs.Rating.Hard


def rating(rebuild):
    """Again for a rebuild abandoned; else the worst of what its minutes, its number of
    checks and its hints level say (each Easy, Good or Hard)."""
    if rebuild.outcome != "done":
        return fsrs.Rating.Again
    return min(grade(rebuild.end.minutes, MINUTES), grade(len(rebuild.checks), CHECKS),
               LEVEL[rebuild.level])


def next_due(rebuilds):
    """The time the next rebuild of one tutorial is due, from its rebuilds that ended
    (None when none has)."""
    card, reviewed = None, False
    for rebuild in rebuilds:
        if rebuild.end is None:
            continue
        if card is None:
            card = fsrs.Card(card_id=1, due=rebuild.start.time)
        moment = max(rebuild.end.time, card.last_review or rebuild.end.time)
        card, _log = SCHEDULER.review_card(card, rating(rebuild), review_datetime=moment,
                                           review_duration=int(
                                               timedelta(minutes=rebuild.end.minutes)
                                               .total_seconds() * 1000))
        reviewed = True
    return card.due if reviewed else None
