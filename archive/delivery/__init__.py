"""Electronic document delivery (электрондық құжат жеткізу, ЭҚЖ/ЭДД): remote users ask for copies,
staff fulfil them from the archive, requesters download stamped copies by expiring links.

One job per module: ``settings`` (delivery.toml), ``intake`` (the request's fields and their
checks), ``pages`` (page ranges), ``rules`` (copying rules), ``consent`` (versioned wording),
``model`` (the catalog rows, and the archive of fulfilled requests), ``workflow`` (status changes),
``fulfil`` (extract, stamp, deliver), ``stamping``, ``links`` (signed download links), ``letters``
and ``outbox`` (letters written, queued and sent), ``staff`` (users), ``privacy`` (purge, export).
The statuses are in ``archive.vocabulary``, the errors in ``archive.errors``, the quarterly figures
in ``archive.plans.deliveries``.
"""
