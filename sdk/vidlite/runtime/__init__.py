"""Backend selection: device probe + platform profile + bundle artifacts → a smoke-tested runner."""
from vidlite.runtime.model import Model, load
from vidlite.runtime.plan import Candidate, Pin, plan
from vidlite.runtime.profiles import all_profiles, get_profile, match_profile

__all__ = ["Model", "load", "Candidate", "Pin", "plan", "all_profiles", "get_profile", "match_profile"]
