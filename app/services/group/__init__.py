"""The participants' work: projects and members, contributions and "me too"s, drafts and
stances, words and phrases, unfinished text, undo, search, the demo project and the quick start.

It never imports `app.services.review` or `app.services.exchange`: what a participant does
must work without the facilitator's side or bundles (tests/test_architecture.py).
"""
