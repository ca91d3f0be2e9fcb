"""Read Graph into `Live`: the HTTP client, $batch, paging and credentials. Edge: HTTP."""
