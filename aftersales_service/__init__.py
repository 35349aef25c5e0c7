from . import controllers
from . import demo
from . import models
from . import rules
from . import report
from . import wizards
from .hooks import post_init_hook, uninstall_hook
