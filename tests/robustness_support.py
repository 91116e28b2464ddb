"""What the robustness tests share: a study file small enough to run in seconds."""

#: Beston, one lever, one size context, 4 seeds of 20 weeks.
TINY_STUDY = """
[robustness]
name = "tiny"
scenario = "beston"
seeds = 4
steps = 20

[levers]
cede_willingness = {low = 0.1, high = 0.9}

[contexts]
sizes = [40]
"""
