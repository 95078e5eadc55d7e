"""Frame preprocessing: PreprocessSpec (the manifest's ``preprocess``) and the Preprocessor that applies it."""
from vidlite.preprocess import reference
from vidlite.preprocess.preprocessor import Preprocessor
from vidlite.preprocess.spec import PreprocessSpec, Quant

__all__ = ["PreprocessSpec", "Preprocessor", "Quant", "reference"]
