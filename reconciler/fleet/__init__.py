"""Fleets: one baseline of manifests on many tenants (docs/fleet.md).

- `spec`: the fleet file (baseline, typed variables, tenants with rings, overlays,
  exclusions, values and credential variables), loaded with located problems;
- `sets`: one tenant's manifest set, and its groups named by displayName resolved;
- `selection`: `--tenant`, `--ring`, `--shard K/N` (SHA-256 of the tenant id modulo N);
- `preflight`: a tenant's credentials and token checked (consent, tenant, permissions),
  failing that tenant alone with a typed reason;
- `budget`: the fleet-wide cap under Graph's global per-app limit;
- `run`: tenants side by side, each failure its own outcome;
- `index`: the folders a run writes (plans, drift reports, the indexes, the apply record)
  and `merge` of shards.

The command line (`cli.commands.fleet`) puts them together with the single-tenant pieces.
"""
