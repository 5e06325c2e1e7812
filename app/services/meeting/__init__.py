"""The live meeting: meetings the facilitator plans and runs (dates, times, agenda steps,
attendance), pacing the group from step to step, think-first keyword steps, dot votes hidden
until revealed, and the asks anyone may make ("I need a break").

It may use `app.services.group` (the participants' work) but never `review` or `exchange`:
the facilitator's session is checked by a callable the container hands in
(tests/test_architecture.py).
"""
