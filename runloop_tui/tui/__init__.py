"""The Textual UI. Imported before Textual itself, this package sets the frame cap.

Textual repaints at most 60 times a second by default, and after an idle spell its frame
timer waits one to two frame periods before the frame that follows an input echo (measured:
a filter keystroke's table repaint came 17-33 ms after the echo frame). At 120 that wait
halves. Frames are drawn only when something changed, so an idle app costs nothing more.
A TEXTUAL_FPS set by the user wins.
"""

import os

os.environ.setdefault("TEXTUAL_FPS", "120")
