"""The quarterly digitisation plan and what was done against it.

``plan`` (the plan as the library files it: documents and pages by kind, of which in Kazakh, and
electronic deliveries), ``report`` (plan against actual, per quarter), ``formats`` (the report as a
table, CSV, JSON, XLSX or PDF) and ``deliveries`` (the delivery requests' quarterly figures).
"""
