"""Lead KPIs: the LeadSet, metrics, the funnel, paths, money tables and result tables.

Reads the core (journeys, time rule) and attribution results; never io or the edges.
"""
