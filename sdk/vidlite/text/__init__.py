"""Text tokenizers and decoders shared by the runtime and the export-time evaluation (pure Python/NumPy)."""
from importlib.util import find_spec

from vidlite.text.wordpiece import WordPieceTokenizer

__all__ = ["WordPieceTokenizer"]

# The caption vocabulary tokenizer is a sibling module; re-export it once it exists (a broken
# word.py still raises — only its absence is tolerated).
if find_spec("vidlite.text.word") is not None:
    from vidlite.text.word import WordTokenizer  # noqa: F401

    __all__.append("WordTokenizer")
