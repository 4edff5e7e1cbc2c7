"""dragoman: one local gateway between every AI tool and every model account."""

__version__ = "0.1.0"
