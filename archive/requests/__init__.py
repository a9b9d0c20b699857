"""Electronic document delivery (электрондық құжат жеткізу, ЭҚЖ/ЭДД): remote users ask for copies,
staff fulfil them from the archive, requesters download stamped copies by expiring links.

One job per module: ``settings`` (delivery.toml), ``statuses``, ``validate`` (the request's fields),
``pages`` (page ranges), ``rules`` (copying rules), ``consent`` (versioned wording), ``model``
(the catalog rows), ``workflow`` (status changes), ``fulfil`` (extract, stamp, deliver),
``stamping``, ``links`` (signed download links), ``letters`` and ``outbox`` and ``mail``,
``staff`` (users), ``privacy`` (purge, export), ``figures`` (quarterly report), ``search``.
"""
from archive.requests.figures import delivered_by_quarter

__all__ = ["delivered_by_quarter"]
