"""Lead-source hygiene: UTM tags, the source catalog, channel groups, identity, timestamps.

:func:`touchcredit.clean` chains the steps from a raw touch table to a JourneySet.
Reads the core only.
"""
