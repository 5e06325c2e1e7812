"""Voice input, offline: PocketSphinx recognises the labels on screen, or any sound counts as a
switch press. Nothing here imports Qt; the recogniser runs in a child process
(:mod:`app.voice.worker`) behind :class:`app.voice.listener.VoiceListener`, and no audio or
text ever leaves the computer."""
