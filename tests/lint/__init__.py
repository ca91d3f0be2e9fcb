"""The checks of make lint themselves: they must fail when their rule is broken."""
