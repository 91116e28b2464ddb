"""The roles people hold in their organisations."""

#: The roles people hold, by their code: senior leaders ('tops'), middle managers and
#: the frontline.
ROLES: tuple[str, ...] = ("top", "middle", "bottom")
TOP, MIDDLE, BOTTOM = 0, 1, 2
