"""From the exports people have to a JourneySet: one module per source.

Each module has one entry function, ``read(...)``, returning
``(JourneySet, ConnectorReport)`` through the same cleaning path as
:func:`touchcredit.clean`:

- :mod:`~touchcredit.connectors.ga4`: the Google Analytics 4 BigQuery export;
- :mod:`~touchcredit.connectors.hubspot`: HubSpot contacts and deals exports;
- :mod:`~touchcredit.connectors.salesforce`: Salesforce CampaignMember, Campaign,
  Opportunity and OpportunityContactRole;
- :mod:`~touchcredit.connectors.crm`: any touch and lead/deal tables, with a
  :class:`~touchcredit.ColumnMap`;
- :mod:`~touchcredit.connectors.crm_leads`: a CRM's lead and deal sheets to a
  :class:`~touchcredit.kpi.leads.LeadSet` (``crm.read_leads``);
- :mod:`~touchcredit.connectors.sql`: a SQL query through DuckDB or an ADBC connection.

Inputs are paths (CSV, Parquet, newline-delimited JSON), globs, or data frames
(:mod:`~touchcredit.connectors.files`); the report counts every input row that was
rejected or not used, with its reason (:mod:`~touchcredit.connectors.report`).
"""

from touchcredit.connectors import crm, crm_leads, files, ga4, hubspot, salesforce, sql
from touchcredit.connectors.files import SchemaError
from touchcredit.connectors.report import Cleaning, ConnectorReport

__all__ = [
    "Cleaning",
    "ConnectorReport",
    "SchemaError",
    "crm",
    "crm_leads",
    "files",
    "ga4",
    "hubspot",
    "salesforce",
    "sql",
]
