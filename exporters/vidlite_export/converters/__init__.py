"""One converter per format behind :class:`Converter`; :func:`get_converter` imports on demand."""
from vidlite_export.converters.base import (ConversionError, Converted, Converter, ConvertJob,
                                            get_converter, register)

__all__ = ["ConversionError", "Converted", "Converter", "ConvertJob", "get_converter", "register"]
