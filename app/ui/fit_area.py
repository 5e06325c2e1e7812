"""What every screen area that places its own contents to fit the window shares.

Such an area has no minimum size of its own, so nothing on it can make the window grow (the
fitting gives way instead), and it fits again whenever its size or style (the member's Size or
theme) changes, never while it is already fitting. The writing screen (write_fit.py) and the
Settings pages (settings_fit.py) are two of them; each says how it fits in `_fit`.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QSize
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QWidget


class FittingArea(QWidget):
    """A widget that places its children itself, to fit the room it is given."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._busy = False

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt override
        """Nothing here may make the window larger than it is: the fitting gives way instead."""
        return QSize(0, 0)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        """Any size will do."""
        return QSize(800, 600)

    def refit(self) -> None:
        """Fit the contents to the size there is now (once: not again from inside a fit)."""
        if self._busy or self.width() <= 0 or self.height() <= 0:
            return
        self._busy = True
        try:
            self._fit()
        finally:
            self._busy = False

    def _fit(self) -> None:
        raise NotImplementedError

    def _restyled(self) -> None:
        """A new style: fit again (at once, unless a subclass waits for the events queued)."""
        self.refit()

    # -------------------------------------------------------------- events
    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        """A new size: fit again at once."""
        super().resizeEvent(event)
        self.refit()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        """A new style (the member's Size or theme): fit again."""
        super().changeEvent(event)
        if event.type() == QEvent.Type.StyleChange:
            self._restyled()
