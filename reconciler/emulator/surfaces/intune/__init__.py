"""What the Intune surfaces share: the OData type model and its error messages (``model``),
query options (``odata``: ``$filter``, ``$select``, ``$expand``, the optional ``$``),
keyset paging (``paging``) and the assignment model (``assignments``: targets, filters,
``assign`` as replace-all). Nothing here knows one entity set; each surface passes in what
its types allow."""
