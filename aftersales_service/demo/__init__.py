from . import aftersales_demo
from . import aftersales_demo_story
