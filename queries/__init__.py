"""The catalogue of example SPARQL queries (``*.rq``), served as REST calls by ``clusterkg.endpoint.catalogue``.

Each file starts with grlc-style decorators in comments (``#+ summary:``, ``#+ description:``, ``#+ tags:``,
``#+ params:``); a parameter ``name`` of type ``iri``, ``literal`` or ``integer`` appears in the query as the
variable ``?_name_type`` (e.g. ``?_cluster_iri``) and is bound by the endpoint, never spliced into the text.
See ``docs/queries.md``.
"""
