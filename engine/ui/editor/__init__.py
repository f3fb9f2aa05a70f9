"""The map editor: a thin screen (`screen.EditorScreen`) and one class per tool (`brushes`,
`units`, `places`, `works`, `river`, `marks`); see docs/editor.md."""

from .screen import EditorScreen
from .view import EditorView

__all__ = ["EditorScreen", "EditorView"]
